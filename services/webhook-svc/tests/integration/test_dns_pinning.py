"""DNS pinning: a delivery connects to the address the SSRF check vetted, never to a second
lookup's answer (DNS rebinding). The names end in `.invalid`, which no real resolver
answers: the POST can only arrive if the connection used our resolver's vetted address.
The receiver is a real HTTP server on loopback (allowlisted, as in development)."""
from __future__ import annotations

from clientsynq.webhooks.adapters.http_sender import HttpSender
from receiver import Receiver

NAME = "hooks.rebinding.invalid"


class RebindingResolver:
    """Our resolver port: loopback (where the receiver is) first, then a private address
    that answers nothing, as a rebinding DNS server would."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, host: str) -> list[str]:
        self.calls += 1
        return ["127.0.0.1"] if self.calls == 1 else ["10.255.255.1"]


def test_the_post_goes_to_the_vetted_address_with_the_name_as_host():
    resolver = RebindingResolver()
    sender = HttpSender((NAME,), resolve=resolver)
    with Receiver() as receiver:
        url = f"http://{NAME}:{receiver.server.server_port}/hooks"
        answer = sender.send(url, {"Content-Type": "application/json"}, b"{}", 5.0)
        assert answer.status == 200, answer.error
        assert resolver.calls == 1  # checked once, never resolved again to connect
        (got,) = receiver.messages()
        assert got.headers["host"] == f"{NAME}:{receiver.server.server_port}"
    sender.close()


def test_keep_alive_connections_are_per_vetted_address():
    resolver = RebindingResolver()
    sender = HttpSender((NAME,), resolve=resolver)
    with Receiver() as receiver:
        url = f"http://{NAME}:{receiver.server.server_port}/hooks"
        assert sender.send(url, {}, b"{}", 5.0).status == 200
        # The name now "resolves" elsewhere: the open loopback connection is not reused.
        second = sender.send(url, {}, b"{}", 0.5)
        assert second.status is None and len(receiver.messages()) == 1
    sender.close()
