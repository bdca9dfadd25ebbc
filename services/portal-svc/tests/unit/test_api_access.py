"""Who may call what: tokens, API keys and their scopes, plans, tenants, rate limits."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from portal_api_harness import Api, seed_business, seeded_api

TENANT, OTHER = "tenant-a", "tenant-b"

READS = ["/api/v1/invoices/101", "/api/v1/customers/1", "/api/v1/payments/501"]
WRITES = [
    ("/api/v1/invoices", {"customer_id": "1", "lines": [{"description": "x", "amount": "5"}]}),
    ("/api/v1/payments", {"customer_id": "1", "amount": "5.00",
                          "applied_to": [{"invoice_id": "101", "amount": "5.00"}]}),
]


@pytest.fixture
def api() -> Iterator[Api]:
    yield from seeded_api(TENANT, OTHER)


@pytest.mark.parametrize("path", READS)
def test_another_business_records_answer_404(api: Api, path: str):
    api.read.invoices.rows = {k: v for k, v in api.read.invoices.rows.items() if k[0] == OTHER}
    api.read.customers.rows = {k: v for k, v in api.read.customers.rows.items()
                               if k[0] == OTHER}
    api.read.payments.rows = {k: v for k, v in api.read.payments.rows.items() if k[0] == OTHER}
    response = api.call("GET", path, api.token(TENANT))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_writes_naming_another_business_records_answer_404(api: Api, path: str, body: dict):
    api.read.customers.rows = {k: v for k, v in api.read.customers.rows.items()
                               if k[0] == OTHER}
    response = api.call("POST", path, api.token(TENANT), json=body)
    assert response.status_code == 404
    assert api.read.commands.outbox == []


def test_another_business_command_answers_404(api: Api):
    path, body = WRITES[0]
    created = api.call("POST", path, api.token(OTHER), json=body).get_json()
    assert api.call("GET", f"/api/v1/commands/{created['id']}",
                    api.token(TENANT)).status_code == 404


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_basic_cannot_write_and_is_told_its_plan(api: Api, path: str, body: dict):
    response = api.call("POST", path, api.token(TENANT, plan="basic"), json={"bad": 1})
    problem = response.get_json()
    assert response.status_code == 403
    assert problem["type"].endswith("plan-does-not-allow") and problem["plan"] == "basic"
    assert "Basic" in problem["detail"]
    assert api.read.commands.outbox == []


@pytest.mark.parametrize("header", ["", "Basic abc", "Bearer ", "Bearer not.a.jwt",
                                    "Bearer csk.tenant-a.k1.unknown"])
def test_no_valid_credential_is_a_401_problem(api: Api, header: str):
    response = api.client.get("/api/v1/invoices", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(api: Api):
    from clientsynq.common.auth import JwtSigner

    key = api.key  # the harness's key; a token issued in 1970
    old = JwtSigner(key, "k1", "clientsynq-auth", "clientsynq", clock=lambda: 0.0)
    token = old.issue(subject="u", tenant_id=TENANT, role="owner", plan="pro")
    response = api.call("GET", "/api/v1/invoices", token)
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]


def test_an_api_key_is_held_to_its_scopes(api: Api):
    key = api.api_keys.add("csk.tenant-a.k1.s3cret", TENANT, ("invoices:read",))
    assert api.call("GET", "/api/v1/invoices", key).status_code == 200
    denied = api.call("GET", "/api/v1/customers", key)
    assert denied.status_code == 403 and denied.get_json()["required_scope"] == "customers:read"
    path, body = WRITES[0]
    assert api.call("POST", path, key, json=body).status_code == 403


def test_a_key_of_a_business_no_longer_on_enterprise_is_refused(api: Api):
    key = api.api_keys.add("csk.tenant-a.k2.s3cret", TENANT, ("invoices:read",), plan="pro")
    response = api.call("GET", "/api/v1/invoices", key)
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("plan-does-not-allow")


def test_rate_limits_are_per_key_and_announced():
    api = Api(rate_limit=2)
    seed_business(api, TENANT)
    token = api.token(TENANT)
    first = api.call("GET", "/api/v1/sync", token)
    assert first.headers["RateLimit-Policy"] == '"per-key";q=2;w=60'
    assert first.headers["RateLimit-Remaining"] == "1"
    api.call("GET", "/api/v1/sync", token)
    refused = api.call("GET", "/api/v1/sync", token)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert api.call("GET", "/api/v1/sync", api.token(TENANT, subject="user-2")).status_code \
        == 200
    api.monotonic += 60
    assert api.call("GET", "/api/v1/sync", token).status_code == 200


def test_a_refused_read_answers_the_problem_not_the_rows_and_a_refused_write_does_nothing():
    """A read's hit runs beside its view (edge.py); the answer is still the refusal."""
    api = Api(rate_limit=1)
    try:
        seed_business(api, TENANT)
        token = api.token(TENANT)
        assert api.call("GET", "/api/v1/invoices", token).status_code == 200
        refused = api.call("GET", "/api/v1/invoices", token)
        assert refused.status_code == 429 and "data" not in refused.get_json()
        assert refused.get_json()["type"].endswith("too-many-requests")
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert "ETag" not in refused.headers
        assert api.call("POST", "/api/v1/sync", token).status_code == 429
        assert api.sync_requests.outbox == []
    finally:
        api.close()
