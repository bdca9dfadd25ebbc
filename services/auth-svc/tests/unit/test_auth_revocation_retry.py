"""A pending revocation whose token no key of the ring opens stays pending (retried each
round), is alarmed and audited (finding 11). On in-memory fakes of the connections and
audit ports, each held to its MongoDB adapter's contract tests (tests/contract/)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from auth_fakes import FakeAuditEvents, FakeConnections
from auth_fixtures import UNIT_ENV
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings
from clientsynq.auth.domain.model import Connection, ConnectionStatus
from clientsynq.auth.services.qbo_revocation import retry_pending_revocations
from prometheus_client import REGISTRY

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
UNDECRYPTABLE = "clientsynq_auth_revocations_undecryptable_total"


@pytest.fixture
def deps(tmp_path) -> Any:
    """The real composition, its stores swapped for fakes; MongoDB's address is a closed
    port, so a use case that reached past the fakes would fail, not pass by luck."""
    settings = Settings.from_env({**UNIT_ENV, "MONGODB_URI": "mongodb://127.0.0.1:9/",
                                  "AUTH_SIGNING_KEYS_DIR": str(tmp_path),
                                  "AUTH_GENERATE_SIGNING_KEY": "true"})
    built = build(settings, clock=lambda: NOW, create_indexes=False)
    return replace(built, stores=replace(built.stores, connections=FakeConnections(),
                                         audit=FakeAuditEvents()))


def test_an_undecryptable_revocation_is_retried_and_alarmed_not_marked_done(deps):
    sealed_elsewhere = deps.cipher.seal("t1", "0", "refresh", "x")  # another realm's AD
    assert deps.stores.connections.append(
        None, replace(Connection.first("t1"), realm_id="9130", changed_at=NOW,
                      status=ConnectionStatus.DISCONNECTED),
        None, revoke=("9130", sealed_elsewhere))
    before = REGISTRY.get_sample_value(UNDECRYPTABLE) or 0.0

    assert retry_pending_revocations(deps) == 0

    assert REGISTRY.get_sample_value(UNDECRYPTABLE) == before + 1
    assert [(s.connection.tenant_id, s.revocation and s.revocation.realm_id)
            for s in deps.stores.connections.pending_revocations()] == [("t1", "9130")]
    [failed] = deps.stores.audit.list("t1", 10, "qbo.revoke_failed")
    assert failed.details == {"realm_id": "9130", "reason": "undecryptable"}
    assert retry_pending_revocations(deps) == 0  # the next round tries again
    assert REGISTRY.get_sample_value(UNDECRYPTABLE) == before + 2


def test_a_stopping_worker_tries_no_further_revocation(deps):
    """SIGTERM ends the sweep between businesses (Kubernetes' grace period is short)."""
    import threading

    sealed_elsewhere = deps.cipher.seal("t1", "0", "refresh", "x")
    assert deps.stores.connections.append(
        None, replace(Connection.first("t1"), realm_id="9130", changed_at=NOW,
                      status=ConnectionStatus.DISCONNECTED),
        None, revoke=("9130", sealed_elsewhere))
    before = REGISTRY.get_sample_value(UNDECRYPTABLE) or 0.0
    stop = threading.Event()
    stop.set()

    assert retry_pending_revocations(deps, stop) == 0

    assert (REGISTRY.get_sample_value(UNDECRYPTABLE) or 0.0) == before  # not even tried
