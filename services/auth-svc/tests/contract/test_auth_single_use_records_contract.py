"""Single-use records: sign-up confirmations, password resets, and the per-realm budget of
Disconnect URL checks. The MongoDB adapters (on the MongoDB-wire server) and the fakes of
tests/auth_fakes.py answer alike, including under concurrency."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeDisconnectChecks, FakePasswordResets, FakeSignUpRequests
from clientsynq.auth.adapters.disconnect_checks import DisconnectChecks
from clientsynq.auth.adapters.password_resets import PasswordResetStore
from clientsynq.auth.adapters.signup_requests import SignUpRequestStore
from clientsynq.auth.domain.records import PendingSignUp, ResetRequest

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture(params=["mongo", "fake"])
def signups(request, mongo_db) -> Any:
    return SignUpRequestStore(mongo_db) if request.param == "mongo" else FakeSignUpRequests()


@pytest.fixture(params=["mongo", "fake"])
def resets(request, mongo_db) -> Any:
    return PasswordResetStore(mongo_db) if request.param == "mongo" else FakePasswordResets()


@pytest.fixture(params=["mongo", "fake"])
def checks(request, mongo_db) -> Any:
    return DisconnectChecks(mongo_db) if request.param == "mongo" else FakeDisconnectChecks()


def _once(use: Any) -> int:
    with ThreadPoolExecutor(8) as pool:
        return sum(1 for found in pool.map(lambda _: use(), range(8)) if found)


def test_a_sign_up_confirmation_is_used_once_before_it_expires(signups):
    pending = PendingSignUp("Acme", "a@example.com", "hash")
    signups.add("d1", pending, NOW, LATER)
    signups.add("d2", pending, NOW, LATER)
    assert signups.use("d1", LATER) is None  # expired
    assert signups.use("unknown", NOW) is None
    assert signups.use("d2", NOW) == pending
    assert signups.use("d2", NOW) is None
    signups.add("d3", pending, NOW, LATER)
    assert _once(lambda: signups.use("d3", NOW)) == 1


def test_a_password_reset_is_used_once_by_its_business_before_it_expires(resets):
    resets.add("d1", "t1", "u1", NOW, LATER)
    assert resets.use("t2", "d1", NOW) is None  # another business's link
    assert resets.use("t1", "d1", LATER) is None  # expired
    assert resets.use("t1", "d1", NOW) == ResetRequest("t1", "u1")
    assert resets.use("t1", "d1", NOW) is None
    resets.add("d2", "t1", "u1", NOW, LATER)
    assert _once(lambda: resets.use("t1", "d2", NOW)) == 1


def test_a_realm_is_checked_once_per_interval(checks):
    assert checks.may_check("r1", NOW) and not checks.may_check("r1", NOW + timedelta(
        seconds=1))
    assert checks.may_check("r2", NOW)
    assert checks.may_check("r1", NOW + timedelta(seconds=300))
    assert _once(lambda: checks.may_check("r3", NOW)) == 1
