"""Sign-up, login, cookies, refresh rotation, logout, JWKS and key rotation; tokens that are
forged, expired, unsigned or for someone else are refused by auth-svc's own endpoints."""
from __future__ import annotations

import time
import uuid

import jwt
import pytest
from auth_harness import PASSWORD
from clientsynq.common.auth import JwtSigner, generate_signing_key
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

pytestmark = pytest.mark.integration


def _cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_the_founder_signs_in_as_owner_with_httponly_lax_cookies(auth):
    client = auth.api()
    assert client.post("/auth/v1/signup", json={
        "business_name": "Acme", "email": "Ann@Example.com",
        "password": PASSWORD}).status_code == 202
    response = client.post("/auth/v1/login", json={"email": "ann@example.com",
                                                    "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["role"] == "owner" and body["plan"] == "basic" and body["token_type"] == "Bearer"
    session = _cookie(response, "cs_session")
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "HttpOnly" in _cookie(response, "cs_refresh")
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    assert kid in {k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]}
    me = client.get("/auth/v1/me").json  # the cookie alone authenticates a browser
    assert me == {"subject": body["subject"], "tenant_id": body["tenant_id"], "role": "owner",
                  "plan": "basic", "kind": "user", "customer_id": None}
    again = auth.browser().post("/auth/v1/signup", json={
        "business_name": "Other", "email": "ann@example.com", "password": PASSWORD})
    assert again.status_code == 202  # not 409: see test_auth_signup_confirmation.py


def test_cookies_are_secure_unless_configured_off_for_loopback(auth):
    secure = auth.variant(AUTH_COOKIE_SECURE="true")
    email = f"{uuid.uuid4().hex}@example.com"
    secure.browser().post("/auth/v1/signup", json={
        "business_name": "Acme", "email": email, "password": PASSWORD})
    response = secure.browser().post("/auth/v1/login", json={"email": email,
                                                              "password": PASSWORD})
    assert "Secure" in _cookie(response, "cs_session")
    assert "Secure" in _cookie(response, "cs_refresh")


def test_a_refresh_token_rotates_and_a_replayed_one_ends_the_session(auth):
    account = auth.sign_up()
    first = auth.api().post("/auth/v1/token/refresh",
                                json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    rotated = first.json["refresh_token"]
    assert rotated != account.refresh_token
    replay = auth.api().post("/auth/v1/token/refresh",
                                 json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401
    assert auth.browser().post("/auth/v1/token/refresh",
                               json={"refresh_token": rotated}).status_code == 401


def test_a_browser_refreshes_with_its_cookie_and_picks_up_a_plan_change(auth):
    account = auth.sign_up()
    auth.set_plan(account.tenant_id, "enterprise")
    response = account.client.post("/auth/v1/token/refresh")
    assert response.status_code == 200 and response.json["plan"] == "enterprise"
    assert account.client.get("/auth/v1/me").json["plan"] == "enterprise"


def test_logout_revokes_the_refresh_token_and_clears_cookies(auth):
    account = auth.sign_up()
    response = account.client.post("/auth/v1/logout")
    assert response.status_code == 204
    assert "cs_session=;" in _cookie(response, "cs_session")
    assert auth.browser().post("/auth/v1/token/refresh",
                               json={"refresh_token": account.refresh_token}).status_code == 401
    actions = [e["action"] for e in auth.log_in(account.email).client.get(
        f"/auth/v1/tenants/{account.tenant_id}/audit-events").json["events"]]
    assert "user.logout" in actions and "user.login" in actions


def _forgeries(auth, account) -> dict[str, str]:
    settings = auth.deps.settings.sessions
    kid = auth.deps.signing_keys.active_kid
    claims = {"sub": account.user_id, "tenant_id": account.tenant_id, "role": "owner",
              "plan": "enterprise", "kind": "user"}
    other_key = JwtSigner(generate_signing_key(), kid, settings.issuer, settings.audience)
    expired = JwtSigner(auth.deps.signing_keys.active_key, kid, settings.issuer,
                        settings.audience, clock=lambda: time.time() - 7200)
    wrong_audience = JwtSigner(auth.deps.signing_keys.active_key, kid, settings.issuer,
                               "someone-else")
    payload = {"iss": settings.issuer, "aud": settings.audience, "sub": account.user_id,
               "tid": account.tenant_id, "role": "owner", "plan": "enterprise", "kind": "user",
               "jti": "x", "iat": int(time.time()), "exp": int(time.time()) + 600}
    unsigned = jwt.encode(payload, None, algorithm="none", headers={"kid": kid})
    hs256 = jwt.encode(payload, "not-our-key-but-long-enough-32b!", algorithm="HS256",
                       headers={"kid": kid})
    return {"another key": other_key.issue(**_issue_args(claims)),
            "expired": expired.issue(**_issue_args(claims), ttl_seconds=600),
            "wrong audience": wrong_audience.issue(**_issue_args(claims)),
            "alg none": unsigned, "hs256": hs256, "garbage": "not.a.jwt"}


def _issue_args(claims: dict[str, str]) -> dict[str, str]:
    return {"subject": claims["sub"], "tenant_id": claims["tenant_id"], "role": claims["role"],
            "plan": claims["plan"], "kind": claims["kind"]}


def test_forged_expired_and_unsigned_tokens_are_refused(auth):
    account = auth.sign_up()
    paths = [("GET", "/auth/v1/me"),
             ("GET", f"/auth/v1/tenants/{account.tenant_id}/qbo/connection"),
             ("POST", f"/auth/v1/tenants/{account.tenant_id}/qbo/connect"),
             ("GET", f"/auth/v1/tenants/{account.tenant_id}/audit-events")]
    for name, token in _forgeries(auth, account).items():
        for method, path in paths:
            response = auth.browser().open(path, method=method,
                                           headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (name, path)
            assert response.headers["Content-Type"] == "application/problem+json"
        cookie_browser = auth.browser()
        cookie_browser.set_cookie("cs_session", token)
        assert cookie_browser.get("/auth/v1/me").status_code == 401, name


def test_signing_keys_rotate_with_old_tokens_still_valid(auth, tmp_path):
    account = auth.sign_up()
    key_dir = auth.env["AUTH_SIGNING_KEYS_DIR"]
    pem = generate_signing_key().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (tmp_path / "signing-keys" / "zz-2027.pem").write_bytes(pem)
    rotated = auth.variant(AUTH_SIGNING_KEYS_DIR=key_dir)
    kids = {k["kid"] for k in rotated.browser().get("/.well-known/jwks.json").json["keys"]}
    assert kids == {"dev-1", "zz-2027"}
    assert rotated.browser().get("/auth/v1/me", headers=account.bearer).status_code == 200
    fresh = rotated.log_in(account.email)
    assert jwt.get_unverified_header(fresh.access_token)["kid"] == "zz-2027"
