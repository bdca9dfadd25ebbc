"""auth-svc test fixtures: the real app over real Kafka, FerretDB/MongoDB, the QBO sandbox
(over HTTP on a loopback port) and the mail sink."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_harness import AuthHarness, FakeClock, auth_env


@pytest.fixture(scope="session")
def sandbox(qbo_sandbox: Any) -> Any:
    """The one session sandbox of qbo_fixtures (so QBO_SANDBOX_MESSY reaches these tests
    too, and a whole-repo run starts one sandbox, not one more for auth-svc)."""
    return qbo_sandbox


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[Any]:
    from mail_sink.testing import running_mail_sink

    with running_mail_sink() as sink:
        yield sink


@pytest.fixture
def auth_settings_env(infra, kafka_conn, mongo_db, sandbox, mail_sink, tmp_path) -> dict[str, str]:
    return auth_env(infra, kafka_conn, mongo_db, sandbox, mail_sink, tmp_path)


@pytest.fixture
def auth(auth_settings_env, sandbox, mail_sink, kafka_conn) -> Iterator[AuthHarness]:
    harness = AuthHarness.start(auth_settings_env, sandbox, mail_sink, kafka_conn, FakeClock())
    try:
        yield harness
    finally:
        harness.close()
