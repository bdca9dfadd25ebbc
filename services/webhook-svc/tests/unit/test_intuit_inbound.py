"""Receiving Intuit notifications, on fakes: what is stored, recorded and refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from clientsynq.webhooks.domain.errors import InvalidSignature, MalformedNotification
from clientsynq.webhooks.domain.inbox import RealmLink
from clientsynq.webhooks.domain.intuit_signature import VerifierTokens
from clientsynq.webhooks.services.intuit import (
    IntuitInbound,
    receive_notification,
    reprocess_pending,
)
from fakes import FakeChangeLog, FakeClock, FakeNotificationInbox, FakeRealmDirectory
from intuit_bodies import REALM, classic, cloudevents, signed

TOKEN = "current-verifier"


def inbound(clock: FakeClock | None = None, tokens: VerifierTokens | None = None) -> IntuitInbound:
    realms = FakeRealmDirectory()
    clock = clock or FakeClock()
    realms.apply(RealmLink(REALM, "tenant-1", "connected", clock() - timedelta(days=1)))
    return IntuitInbound(tokens=tokens or VerifierTokens(TOKEN), inbox=FakeNotificationInbox(),
                         changes=FakeChangeLog(), realms=realms, clock=clock,
                         retention=timedelta(days=30))


def receive(deps: IntuitInbound, body: bytes, token: str = TOKEN):
    return receive_notification(deps, body, signed(body, token)["intuit-signature"])


@pytest.mark.parametrize("op", ["create", "update", "delete", "merge", "void", "emailed"])
@pytest.mark.parametrize("fmt", [classic, cloudevents])
def test_every_operation_in_either_format_records_one_change(fmt, op):
    deps = inbound()
    received = receive(deps, fmt(("Invoice", "130", op), deleted_id="7"))
    assert received.result == "processed" and received.emitted == 1
    (event,) = deps.changes.pending_envelopes()
    assert event["data"]["operation"] == op and event["data"]["entity_id"] == "130"
    assert event["data"]["deleted_id"] == ("7" if op == "merge" else None)
    assert event["tenantid"] == "tenant-1" and event["realmid"] == REALM


def test_the_same_change_in_both_formats_is_recorded_once():
    deps = inbound()
    receive(deps, classic(("Payment", "9", "update")))
    again = receive(deps, cloudevents(("Payment", "9", "update")))
    assert again.emitted == 0 and len(deps.changes.pending_envelopes()) == 1
    assert len(deps.inbox.items) == 2  # both kept for audit


def test_an_older_change_arriving_late_is_still_recorded_once():
    deps = inbound()
    receive(deps, classic(("Invoice", "1", "update"), at="2026-11-01T12:00:05.000Z"))
    receive(deps, classic(("Invoice", "1", "update"), at="2026-11-01T12:00:01.000Z"))
    receive(deps, classic(("Invoice", "1", "update"), at="2026-11-01T12:00:01.000Z"))
    assert len(deps.changes.pending_envelopes()) == 2


def test_unknown_entities_are_kept_and_ignored():
    deps = inbound()
    received = receive(deps, classic(("Bill", "5", "update"), ("Invoice", "6", "update")))
    assert received.result == "processed" and received.emitted == 1
    assert len(deps.inbox.items) == 1


def test_a_realm_no_business_connected_is_kept_but_not_announced():
    deps = inbound()
    received = receive(deps, classic(("Invoice", "1", "update"), realm="1234"))
    assert received.result == "unknown_realm" and not deps.changes.changes
    assert deps.inbox.get(received.notification_id).result == "unknown_realm"


@pytest.mark.parametrize("header", [None, "", "not base64!", "c2lnbmF0dXJl"])
def test_a_missing_or_wrong_signature_stores_nothing(header):
    deps = inbound()
    with pytest.raises(InvalidSignature):
        receive_notification(deps, classic(("Invoice", "1", "update")), header)
    assert not deps.inbox.items and not deps.changes.changes


def test_an_altered_body_is_refused():
    deps = inbound()
    body = classic(("Invoice", "1", "update"))
    header = signed(body, TOKEN)["intuit-signature"]
    with pytest.raises(InvalidSignature):
        receive_notification(deps, body.replace(b'"1"', b'"2"'), header)
    assert not deps.inbox.items


@pytest.mark.parametrize("body", [b"{not json", b'{"something": "else"}', b"[1, 2]",
                                  b'{"eventNotifications": [{"realmId": "1"}]}'])
def test_a_signed_body_that_is_not_a_notification_stores_nothing(body):
    deps = inbound()
    with pytest.raises(MalformedNotification):
        receive(deps, body)
    assert not deps.inbox.items


def test_the_previous_verifier_signs_only_during_its_grace_period():
    clock = FakeClock()
    tokens = VerifierTokens("new", previous="old",
                            previous_valid_until=clock() + timedelta(hours=1))
    deps = inbound(clock, tokens)
    assert receive(deps, classic(("Invoice", "1", "update")), "old").emitted == 1
    assert receive(deps, classic(("Invoice", "2", "update")), "new").emitted == 1
    clock.advance(hours=1)
    with pytest.raises(InvalidSignature):
        receive(deps, classic(("Invoice", "3", "update")), "old")


def test_the_sweep_records_a_notification_stored_by_a_process_that_died():
    clock = FakeClock()
    deps = inbound(clock)
    body = classic(("Invoice", "1", "update"))
    received = receive(deps, body)
    deps.changes.changes.clear()
    deps.inbox.set_result(received.notification_id, "pending")  # as if it died mid-request
    clock.advance(minutes=1)
    assert reprocess_pending(deps, older_than=timedelta(seconds=30)) == 1
    assert len(deps.changes.pending_envelopes()) == 1
    assert deps.inbox.get(received.notification_id).result == "processed"


def test_raw_notifications_are_forgotten_after_the_retention():
    clock = FakeClock()
    deps = inbound(clock)
    receive(deps, classic(("Invoice", "1", "update")))
    clock.advance(days=29)
    assert deps.inbox.purge(clock(), 10) == 0
    clock.advance(days=1)
    assert deps.inbox.purge(clock(), 10) == 1
