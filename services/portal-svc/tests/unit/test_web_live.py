"""Live pages: a stream says `changed` at once, again whenever what the page shows moves,
keeps the connection warm, and ends on its own; nobody streams what they may not see."""
from __future__ import annotations

from clientsynq.portal.web.live import HEARTBEAT_SECONDS, STREAM_SECONDS, _events
from portal_builders import OTHER_TENANT, TENANT, an_invoice, version
from portal_web_harness import Web


class SteppedClock:
    """Each wait moves time on by exactly the asked interval: no real sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += seconds


def test_a_stream_reports_each_change_once_then_ends():
    clock, values = SteppedClock(), iter(["a", "a", "b", "b", "c"])
    last = ["c"]

    def fingerprint() -> str:
        last[0] = next(values, last[0])
        return last[0]

    messages = list(_events(fingerprint, wait=clock.wait, clock=clock))
    changes = [m for m in messages if "event: changed" in m]
    assert messages[0].startswith("retry: 500\nevent: changed")
    assert len(changes) == 3  # the first message, then "b", then "c"
    assert any(m.startswith(": still here") for m in messages)  # heartbeat while quiet
    assert STREAM_SECONDS <= clock.now < STREAM_SECONDS + 1 and HEARTBEAT_SECONDS < STREAM_SECONDS


def test_streams_are_refused_to_strangers_and_clients_see_no_sync_state():
    web = Web()
    web.read.invoices.apply(an_invoice("101", tenant_id=OTHER_TENANT), version())
    assert web.get("/live/sync").status_code == 404  # no session
    web.sign_in(TENANT)
    assert web.get("/live/invoice/101").status_code == 404
    assert web.get("/live/nonsense").status_code == 404
    web.sign_in(TENANT, customer_id="1")
    assert web.get("/live/sync").status_code == 404
