from __future__ import annotations

from typing import Any

import pytest
from clientsynq.common.auth import (
    ServiceCredentialCheck,
    current_principal,
    install_service_check,
    require_plan,
    require_principal,
    require_role,
    require_service,
    require_tenant_scope,
)
from clientsynq.common.problems import register_error_handlers
from flask import Flask, g
from flask.testing import FlaskClient

from .auth_helpers import owner_token, signer, verifier

SYNC_SECRET = "sync-secret-0123456789abcdef"
PORTAL_SECRET = "portal-secret-0123456789abcdef"


def create_test_app() -> Flask:
    app = Flask(__name__)
    register_error_handlers(app)
    install_service_check(app, ServiceCredentialCheck(
        {"sync-svc": SYNC_SECRET, "portal-svc": PORTAL_SECRET}))
    the_verifier = verifier()

    @app.get("/tenants/<tenant_id>/invoices")
    @require_principal(lambda: the_verifier)
    @require_tenant_scope
    def invoices(tenant_id: str) -> dict[str, Any]:
        return {"tenant": tenant_id, "subject": current_principal().subject}

    @app.post("/tenants/<tenant_id>/branding")
    @require_principal(lambda: the_verifier)
    @require_role("owner", "admin")
    @require_plan("pro", "enterprise")
    @require_tenant_scope
    def branding(tenant_id: str) -> dict[str, Any]:
        return {"ok": True}

    @app.get("/internal/tokens")
    @require_service("sync-svc")
    def internal() -> dict[str, Any]:
        return {"caller": g.service_name}

    return app


@pytest.fixture
def client() -> FlaskClient:
    return create_test_app().test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_missing_token_is_401_problem_with_a_bearer_challenge(client: FlaskClient) -> None:
    response = client.get("/tenants/tenant-1/invoices")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["status"] == 401


def test_invalid_token_is_401_with_the_reason(client: FlaskClient) -> None:
    expired = signer(clock=lambda: 0).issue(subject="u", tenant_id="tenant-1", role="owner",
                                            plan="pro")

    response = client.get("/tenants/tenant-1/invoices", headers=bearer(expired))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "token expired" in response.json["detail"]


def test_valid_bearer_token_reaches_the_view(client: FlaskClient) -> None:
    response = client.get("/tenants/tenant-1/invoices", headers=bearer(owner_token()))

    assert response.status_code == 200
    assert response.json == {"tenant": "tenant-1", "subject": "user-1"}


def test_session_cookie_is_accepted_when_there_is_no_header(client: FlaskClient) -> None:
    client.set_cookie("cs_session", owner_token())

    assert client.get("/tenants/tenant-1/invoices").status_code == 200


def test_another_tenant_is_404_so_its_existence_is_not_revealed(client: FlaskClient) -> None:
    response = client.get("/tenants/tenant-2/invoices", headers=bearer(owner_token()))

    assert response.status_code == 404
    assert response.json["type"].endswith("/not-found")


def test_wrong_role_is_403(client: FlaskClient) -> None:
    member = owner_token(role="member")

    response = client.post("/tenants/tenant-1/branding", headers=bearer(member))

    assert response.status_code == 403
    assert response.json["type"].endswith("/forbidden")


def test_wrong_plan_is_403_plan_does_not_allow(client: FlaskClient) -> None:
    basic = owner_token(plan="basic")

    response = client.post("/tenants/tenant-1/branding", headers=bearer(basic))

    assert response.status_code == 403
    assert response.json["type"].endswith("/plan-does-not-allow")
    assert response.json["required_plans"] == ["pro", "enterprise"]


def test_right_role_plan_and_tenant_pass_every_check(client: FlaskClient) -> None:
    response = client.post("/tenants/tenant-1/branding", headers=bearer(owner_token()))

    assert response.status_code == 200


@pytest.mark.parametrize("authorization", [
    None, "", "Service sync-svc:wrong-secret-0123456789", "Service nobody:" + SYNC_SECRET,
    "Service sync-svc", "Bearer not-a-secret-at-all-xxxx", "Basic " + SYNC_SECRET,
])
def test_missing_or_wrong_service_credential_is_401(
    client: FlaskClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get("/internal/tokens", headers=headers)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_another_service_with_a_valid_credential_is_403(client: FlaskClient) -> None:
    response = client.get("/internal/tokens",
                          headers={"Authorization": f"Service portal-svc:{PORTAL_SECRET}"})

    assert response.status_code == 403


@pytest.mark.parametrize("authorization", [f"Service sync-svc:{SYNC_SECRET}",
                                           f"Bearer {SYNC_SECRET}"])
def test_the_right_service_credential_is_accepted(
    client: FlaskClient, authorization: str
) -> None:
    response = client.get("/internal/tokens", headers={"Authorization": authorization})

    assert response.status_code == 200
    assert response.json == {"caller": "sync-svc"}


def test_a_user_token_is_not_a_service_credential(client: FlaskClient) -> None:
    assert client.get("/internal/tokens", headers=bearer(owner_token())).status_code == 401


@pytest.mark.parametrize("spec", ["sync-svc:short", "sync-svc:", ":" + SYNC_SECRET])
def test_weak_or_malformed_service_secrets_are_refused_at_start(spec: str) -> None:
    with pytest.raises(ValueError) as caught:
        ServiceCredentialCheck.from_spec(spec)

    assert "short" not in str(caught.value)
