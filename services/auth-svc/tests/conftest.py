"""auth-svc test fixtures: the real app (driven through Flask's test client) over real Kafka,
FerretDB/MongoDB, the session's QBO sandbox and mail sink. auth-svc is started as every
service's tests start it (`auth_fixtures.start_auth_service`), here not served over HTTP."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_fixtures import start_auth_service
from auth_harness import AuthHarness
from clocks import OffsetClock


@pytest.fixture
def auth(infra: Any, kafka_conn: Any, mongo_db: Any, qbo_sandbox: Any, mail_sink: Any,
         tmp_path: Any) -> Iterator[AuthHarness]:
    """On this test's database; its clock is real time plus what the test advances."""
    service = start_auth_service(
        kafka_bootstrap=infra.kafka_bootstrap, topic_prefix=kafka_conn.topic_prefix,
        mongo_uri=infra.mongo_uri, database=mongo_db.name, sandbox=qbo_sandbox, serve=False,
        clock=OffsetClock(), smtp_port=mail_sink.smtp_port, keys_dir=tmp_path / "signing-keys")
    harness = AuthHarness(service, mail_sink, kafka_conn)
    try:
        yield harness
    finally:
        harness.close()
