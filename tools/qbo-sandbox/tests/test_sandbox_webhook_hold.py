"""A delivery held back by the reorder option goes out once its hold is over even when
nothing else changes on its channel (the dispatcher used to sleep its idle minute first)."""

from __future__ import annotations

from waiting import wait_until
from webhook_receiver import Receiver

from qbo_sandbox.testing import running_sandbox

IDLE_WAKE_SECONDS = 60  # the dispatcher's sleep when nothing is due; the wait stays under it


def test_a_held_delivery_with_nothing_behind_it_goes_out_after_its_hold() -> None:
    receiver = Receiver()
    try:
        with running_sandbox(webhook_batch_seconds=0.05, webhook_reorder_rate=1.0,
                             webhook_hold_seconds=0.2, webhook_seed=3) as box:
            app = box.control.register_app(webhook_url=receiver.url, webhook_format="classic")
            realm = box.control.create_company(customers=2)["realm_id"]
            box.control.connect(app["client_id"], realm)
            box.control.change(realm, "Customer", "1", DisplayName="Held, then alone")
            receiver.wait_for(1, timeout=IDLE_WAKE_SECONDS / 3)
            # the receiver can see the POST before the sandbox's delivery list shows it
            # (a fresh-clone make test at ca05bb9: received 1, listed 0)
            wait_until(lambda: box.control.webhook_deliveries(realm), 10, "its record")
            assert len(box.control.webhook_deliveries(realm)) == 1
    finally:
        receiver.close()
