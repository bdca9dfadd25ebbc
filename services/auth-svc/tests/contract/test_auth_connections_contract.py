"""The connections port: the MongoDB adapter (on the MongoDB-wire server) and the fake of
tests/auth_fakes.py answer alike, so unit tests on the fake say something true."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeConnections
from clientsynq.auth.adapters.mongo_connections import ConnectionStore
from clientsynq.auth.domain.model import NEAR_END_MIN_GAP_SECONDS, Connection, ConnectionStatus
from clientsynq.auth.domain.records import SealedTokens
from clientsynq.auth.services.ports import Connections
from clientsynq.auth.services.qbo_events import connection_changed

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # whole milliseconds: what MongoDB keeps
HOUR = timedelta(hours=1)


@pytest.fixture(params=["mongo", "fake"])
def connections(request, mongo_db) -> Connections:
    makers: dict[str, Callable[[], Connections]] = {
        "mongo": lambda: ConnectionStore(mongo_db), "fake": FakeConnections}
    return makers[request.param]()


def sealed(n: int) -> SealedTokens:
    return SealedTokens(access=f"access-{n}", refresh=f"refresh-{n}", key_id="k1")


def changed(tenant_id: str, realm_id: str, at: datetime,
            status: str = ConnectionStatus.CONNECTED) -> dict[str, Any]:
    return connection_changed(tenant_id, realm_id, status, f"Company {realm_id}", at)


def connect(connections: Connections, tenant_id: str, realm_id: str, at: datetime = NOW,
            revoke: tuple[str, str] | None = None, base: Connection | None = None,
            **changes: Any) -> Connection:
    """The version after `base`: connected to `realm_id` at `at`; returns it as appended."""
    fields = {"realm_id": realm_id, "status": ConnectionStatus.CONNECTED,
              "company_name": f"Company {realm_id}", "connected_at": at, "changed_at": at,
              "last_refresh_at": at, "access_expires_at": at + HOUR,
              "refresh_expires_at": at + 100 * 24 * HOUR, "reason": None, **changes}
    change = replace(base or Connection.first(tenant_id), **fields)
    assert connections.append(base, change, sealed(1), [changed(tenant_id, realm_id, at)],
                              revoke)
    return replace(change, token_version=(base.token_version if base else 0) + 1)


def test_each_change_is_the_next_version_and_inherits_what_it_does_not_change(connections):
    assert connections.get("t1") is None
    connected = connect(connections, "t1", "r1")
    first = connections.get("t1")
    assert first is not None and (first.tokens, first.revocation) == (sealed(1), None)
    assert first.connection == connected and connected.token_version == 1
    assert connections.append(connected, replace(connected, last_refresh_at=NOW + HOUR,
                                                 access_expires_at=NOW + 2 * HOUR), sealed(2))
    second = connections.get("t1")
    assert second is not None and second.tokens == sealed(2)
    assert second.connection == replace(connected, token_version=2,
                                        last_refresh_at=NOW + HOUR,
                                        access_expires_at=NOW + 2 * HOUR)
    assert connections.get("t2") is None  # another business sees nothing of it


def test_a_version_without_tokens_keeps_none(connections):
    first = connect(connections, "t1", "r1")
    assert connections.append(first, replace(first, status=ConnectionStatus.DISCONNECTED,
                                             reason="user", changed_at=NOW + HOUR,
                                             access_expires_at=None), None,
                              [changed("t1", "r1", NOW + HOUR, ConnectionStatus.DISCONNECTED)])
    ended = connections.get("t1")
    assert ended is not None and ended.tokens is None
    assert (ended.connection.status, ended.connection.reason, ended.connection.realm_id,
            ended.connection.access_expires_at) == (ConnectionStatus.DISCONNECTED, "user",
                                                    "r1", None)


def test_of_writers_that_read_the_same_version_exactly_one_appends(connections):
    base = connect(connections, "t1", "r1")
    with ThreadPoolExecutor(6) as pool:
        won = list(pool.map(lambda n: connections.append(
            base, replace(base, last_refresh_at=NOW + n * HOUR), sealed(n)), range(2, 8)))
    assert won.count(True) == 1
    latest = connections.get("t1")
    assert latest is not None and latest.connection.token_version == 2
    winner = won.index(True) + 2
    assert (latest.tokens, latest.connection.last_refresh_at) == (sealed(winner),
                                                                  NOW + winner * HOUR)
    assert not connections.append(base, base, sealed(9))  # a late writer re-reads first


def test_a_revocation_stays_pending_until_it_is_marked_done_or_skipped(connections):
    t1 = connect(connections, "t1", "r1")
    connect(connections, "t1", "r2", revoke=("r1", "old-refresh"), base=t1)
    t2 = connect(connections, "t2", "r3", revoke=("r1", "t2-refresh"))
    connect(connections, "t2", "r4", revoke=("r3", "r3-refresh"), base=t2)
    pending = {(s.connection.tenant_id, s.revocation.realm_id, s.revocation.token)
               for s in connections.pending_revocations() if s.revocation is not None}
    assert pending == {("t1", "r1", "old-refresh"), ("t2", "r1", "t2-refresh"),
                       ("t2", "r3", "r3-refresh")}
    connections.skip_revocations_for_realm("t2", "r1", NOW)  # t2 reconnects r1: keep it
    (done,) = [s for s in connections.pending_revocations() if s.connection.tenant_id == "t1"]
    assert done.revocation is not None
    connections.mark_revoked(done.revocation, NOW)
    connections.purge_all_superseded()
    assert [(s.connection.tenant_id, s.revocation and s.revocation.realm_id)
            for s in connections.pending_revocations()] == [("t2", "r3")]
    latest = connections.get("t1")
    assert latest is not None and latest.connection.realm_id == "r2"


def test_a_realm_is_found_only_where_it_is_connected_now(connections):
    connect(connections, "t1", "r1")
    connect(connections, "t2", "r2", base=connect(connections, "t2", "r1"))  # t2 switched
    assert [s.connection.tenant_id for s in connections.find_by_realm("r1")] == ["t1"]
    assert [s.connection.tenant_id for s in connections.find_by_realm("r2")] == ["t2"]
    assert connections.find_by_realm("r9") == []


def test_idle_refresh_finds_connected_businesses_stale_or_near_their_end(connections):
    day, near_end_gap = 24 * HOUR, timedelta(seconds=NEAR_END_MIN_GAP_SECONDS)
    connect(connections, "t-stale", "r1", at=NOW - 2 * day)
    connect(connections, "t-fresh", "r2", at=NOW - HOUR)
    connect(connections, "t-near-end", "r3", at=NOW - near_end_gap - HOUR,
            refresh_expires_at=NOW + HOUR)
    connect(connections, "t-near-end-just-refreshed", "r4", at=NOW - HOUR,
            refresh_expires_at=NOW + HOUR)
    stale = connect(connections, "t-disconnected", "r5", at=NOW - 2 * day)
    assert connections.append(stale, replace(stale, status=ConnectionStatus.DISCONNECTED), None)
    due = connections.due_for_idle_refresh(NOW, after_seconds=day.total_seconds(),
                                           expiry_margin_seconds=3 * 3600)
    assert [c.tenant_id for c in due] == ["t-near-end", "t-stale"]
    assert all(c.is_connected for c in due)


def test_idle_refresh_judges_each_business_by_its_latest_version(connections):
    """Older versions stay while their events await the relay: a stale old version must not
    bring back a business refreshed since, and must not use up the sweep's limit."""
    day = 24 * HOUR
    old = connect(connections, "t-refreshed", "r1", at=NOW - 3 * day)
    connect(connections, "t-refreshed", "r1", base=old, at=NOW - HOUR)
    older = connect(connections, "t-a", "r2", at=NOW - 4 * day)
    old_a = connect(connections, "t-a", "r2", base=older, at=NOW - 3 * day)
    connect(connections, "t-a", "r2", base=old_a, at=NOW - 2 * day)
    connect(connections, "t-b", "r3", at=NOW - 2 * day)
    connect(connections, "t-c", "r4", at=NOW - 2 * day)
    everyone = connections.due_for_idle_refresh(NOW, after_seconds=day.total_seconds(),
                                                expiry_margin_seconds=3 * 3600)
    assert sorted(c.tenant_id for c in everyone) == ["t-a", "t-b", "t-c"]
    assert all(c.token_version == 3 for c in everyone if c.tenant_id == "t-a")
    two = connections.due_for_idle_refresh(NOW, after_seconds=day.total_seconds(),
                                           expiry_margin_seconds=3 * 3600, limit=2)
    assert [c.tenant_id for c in two] == ["t-a", "t-b"]
