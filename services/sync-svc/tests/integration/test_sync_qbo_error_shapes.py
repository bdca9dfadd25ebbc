"""Every error shape the sandbox can answer, met by sync-svc's real QBO client over HTTP.

Shapes (qbo_sandbox.fault_shapes.SHAPES plus hangs): what each becomes — retried and
recovered (5xx JSON or the gateway's HTML page, 429 XML, a request that never answers, a
401 XML code 100 fixed by one refresh), or a clear failure (403 codes 120 and 6190, a Fault
inside a 200, a 401 that survives the refresh). One tenant, one connection, small queries.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from clientsynq.sync.adapters.qbo_client import QboClient
from clientsynq.sync.adapters.rate_limiter import RealmLimiter
from clientsynq.sync.adapters.token_client import TokenClient
from clientsynq.sync.config import Settings
from clientsynq.sync.domain.errors import AuthorizationExpired, QboRefused
from qbo_sandbox.fault_shapes import SHAPES
from sync_harness import sync_env

pytestmark = pytest.mark.integration
STATEMENT = "SELECT * FROM Term MAXRESULTS 1"


@pytest.fixture
def conn_and_tenant(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant
                    ) -> Iterator[tuple[Any, Any]]:
    tenant = connect_tenant(plan="basic", customers=1, invoices=0, payments=0, seed=3)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_TIMEOUT="1s")
    settings = Settings.from_env(env)
    client = QboClient(settings.qbo, TokenClient(settings.auth_url, settings.service_secret),
                       RealmLimiter(100000, 4, 1000))
    try:
        yield client.for_tenant(tenant.tenant_id), tenant
    finally:
        tenant.control.clear_faults()


def test_each_shape_is_recovered_from_or_refused_clearly(conn_and_tenant):
    conn, tenant = conn_and_tenant
    ctl, realm = tenant.control, tenant.realm_id

    def fault(**options: Any) -> None:
        ctl.clear_faults()
        ctl.inject_fault(realm_id=realm, kind="query", **options)

    recovered = [{"status": 500}, {"status": 503, "shape": "html"},
                 {"status": 504, "shape": "html"}, {"status": 429},
                 {"hang": True, "delay_ms": 3000}]
    for options in recovered:
        fault(**options)
        assert conn.query(STATEMENT)["QueryResponse"]["Term"], options

    refreshes = ctl.counts(realm)["token_refreshes"]
    fault(shape="xml_auth")
    assert conn.query(STATEMENT)["QueryResponse"]["Term"]
    assert ctl.counts(realm)["token_refreshes"] == refreshes + 1
    # a 401 that survives refreshing: the first refusal's token may be stale, so the client
    # asks auth-svc twice (the second time for its current token) before giving up
    fault(shape="xml_auth", count=3)
    with pytest.raises(AuthorizationExpired):
        conn.query(STATEMENT)

    for shape in ("auth_120", "company_6190"):
        fault(shape=shape, status=403)
        with pytest.raises(AuthorizationExpired):
            conn.query(STATEMENT)
    fault(shape="company_6190", status=400)
    with pytest.raises(QboRefused) as refused:
        conn.query(STATEMENT)
    assert refused.value.code == "6190"
    fault(shape="fault_200")
    with pytest.raises(QboRefused) as in_200:
        conn.query(STATEMENT)
    assert in_200.value.code == "10000"
    assert set(SHAPES) == {"default", "xml_auth", "html", "auth_120", "company_6190",
                           "fault_200"}  # a new shape needs a case here
