"""Finding 5: refresh single-flight holds through a slow Intuit answer (the lease is kept
alive), and a crash or failed write after Intuit rotated the refresh token loses nothing:
the pair was journaled first, and the next request adopts it instead of calling Intuit
with a refresh token it no longer honours (which would end in Reconnect)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.auth.adapters.mongo_connections import ConnectionStore
from clientsynq.auth.domain.errors import QboUnavailable
from clientsynq.auth.services import qbo_tokens
from pymongo.errors import OperationFailure

pytestmark = pytest.mark.integration
SHORT_LEASE = {"AUTH_QBO_REFRESH_LEASE": "2s"}
CRASHING_REFRESH = """
import os, signal, sys
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings
from clientsynq.auth.services import qbo_tokens

point, tenant_id = sys.argv[1], sys.argv[2]
deps = build(Settings.from_env(), create_indexes=False)
die = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
if point == "before_calling_intuit":
    deps.qbo.refresh = die
else:  # Intuit answered and rotated; the crash comes before the new version is saved
    deps.stores.connections.append = die
qbo_tokens.get_access_token(deps, tenant_id)
"""


class VersionWritesFail(ConnectionStore):
    """auth-svc's own store, whose token writes fail (a primary gone for good)."""

    def append(self, base, change, *args, **kwargs):
        if base is not None and change.last_refresh_at != base.last_refresh_at:
            raise OperationFailure("not primary and secondaryOk=false")
        return super().append(base, change, *args, **kwargs)


def _due(auth, tenant_id: str) -> None:
    """An hour has passed: the stored access token must be refreshed."""
    latest = auth.connection_doc(tenant_id)
    auth.versions().update_one({"_id": latest["_id"], "tenant_id": tenant_id}, {"$set": {
        "access_expires_at": datetime.now(UTC) - timedelta(seconds=1)}})


def _works_at_intuit(auth, realm_id: str, access_token: str) -> bool:
    return auth.deps.qbo.company_name(realm_id, access_token) is not None


def test_a_failed_save_after_intuit_rotated_loses_nothing(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    _due(auth, owner.tenant_id)
    failing = replace(auth.deps, stores=replace(
        auth.deps.stores, connections=VersionWritesFail(auth.deps.platform.db)))

    with pytest.raises(QboUnavailable):
        qbo_tokens.get_access_token(failing, owner.tenant_id)
    assert auth.refreshes(realm_id) == 1  # Intuit rotated; our version write failed

    answer = auth.access_token(owner.tenant_id)

    assert answer.status_code == 200, answer.json
    assert auth.refreshes(realm_id) == 1  # adopted from the journal, not refreshed again
    assert _works_at_intuit(auth, realm_id, answer.json["access_token"])
    _due(auth, owner.tenant_id)
    assert auth.access_token(owner.tenant_id).status_code == 200  # and it refreshes on
    assert auth.refreshes(realm_id) == 2


@pytest.mark.parametrize(("point", "refreshes"), [("before_calling_intuit", 1),
                                                   ("after_intuit_answered", 1)])
def test_a_process_killed_mid_refresh_leaves_a_working_connection(auth, point, refreshes):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    _due(auth, owner.tenant_id)
    crashed = subprocess.run([sys.executable, "-c", CRASHING_REFRESH, point, owner.tenant_id],
                             env={**os.environ, **auth.env, **SHORT_LEASE}, timeout=60,
                             capture_output=True)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]

    answer = auth.access_token(owner.tenant_id)  # waits out the dead holder's 2 s lease

    assert answer.status_code == 200, answer.json
    assert auth.refreshes(realm_id) == refreshes
    assert _works_at_intuit(auth, realm_id, answer.json["access_token"])
    assert auth.connection_doc(owner.tenant_id)["status"] == "connected"


def test_an_intuit_answer_slower_than_the_lease_still_refreshes_once(auth):
    short = auth.variant(**SHORT_LEASE)
    owner = short.sign_up()
    realm_id = short.connect(owner)
    _due(short, owner.tenant_id)
    auth.sandbox.control.inject_fault(delay_ms=5000, kind="token", count=1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        grants = list(pool.map(lambda _: qbo_tokens.get_access_token(
            short.deps, owner.tenant_id), range(2)))

    assert grants[0].access_token == grants[1].access_token
    assert short.refreshes(realm_id) == 1
    assert short.connection_doc(owner.tenant_id)["status"] == "connected"
