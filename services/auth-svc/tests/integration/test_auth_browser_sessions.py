"""Finding 9: a browser (a request with ``Origin``) gets its tokens only as HttpOnly cookies,
never in the JSON body; every state-changing request authenticated by cookie must come
from our own origin (CSRF); Connect is a POST; security headers on every answer."""
from __future__ import annotations

import pytest
from auth_harness import PASSWORD

pytestmark = pytest.mark.integration
EVIL = "https://evil.example"
TOKENS = ("access_token", "refresh_token")


def _cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_a_browser_login_answers_tokens_only_in_http_only_cookies(auth):
    """Sign-up answers no session at all (202, test_auth_signup_confirmation.py); login,
    refresh, accept and redeem answer a browser's only as cookies."""
    email = "browser-owner@example.com"
    signed_up = auth.browser().post("/auth/v1/signup", json={
        "business_name": "Acme", "email": email, "password": PASSWORD})
    assert signed_up.status_code == 202 and not signed_up.headers.getlist("Set-Cookie")
    logged_in = auth.browser().post("/auth/v1/login", json={"email": email,
                                                             "password": PASSWORD})
    for response in (logged_in,):
        assert response.status_code == 200, response.json
        assert not set(TOKENS) & set(response.json)
        assert {"tenant_id", "role", "plan", "kind", "expires_in"} <= set(response.json)
        cookies = _cookies(response)
        assert "HttpOnly" in cookies["cs_session"] and "Path=/;" in cookies["cs_session"] + ";"
        assert "HttpOnly" in cookies["cs_refresh"] and "Path=/auth/v1/" in cookies["cs_refresh"]
    logged_in_client = auth.browser()
    logged_in_client.post("/auth/v1/login", json={"email": email, "password": PASSWORD})
    refreshed = logged_in_client.post("/auth/v1/token/refresh")
    assert refreshed.status_code == 200 and not set(TOKENS) & set(refreshed.json)
    assert logged_in_client.get("/auth/v1/me").json["role"] == "owner"


def test_an_api_client_without_origin_still_gets_tokens_in_the_body(auth):
    owner = auth.sign_up()
    response = auth.api().post("/auth/v1/login", json={"email": owner.email,
                                                        "password": PASSWORD})
    assert response.status_code == 200 and set(TOKENS) <= set(response.json)


def test_cookie_authenticated_changes_need_our_origin(auth):
    owner = auth.sign_up(plan="pro")
    base = f"/auth/v1/tenants/{owner.tenant_id}"
    invite = {"email": "csrf@example.com", "role": "member"}
    for origin in (None, EVIL, "null"):
        headers = {} if origin is None else {"Origin": origin}
        owner.client.environ_base.pop("HTTP_ORIGIN", None)
        for response in (owner.client.post(f"{base}/member-invitations", json=invite,
                                           headers=headers),
                         owner.client.post(f"{base}/qbo/connect", headers=headers),
                         owner.client.post("/auth/v1/logout", headers=headers),
                         owner.client.post("/auth/v1/token/refresh", headers=headers)):
            assert response.status_code == 403, (origin, response.request.path)
            assert response.json["type"].endswith("/cross-site-request")
    assert owner.client.get(f"{base}/member-invitations").json == {"invitations": []}
    assert owner.client.get("/auth/v1/me").status_code == 200  # logout did not happen
    by_referer = owner.client.post(f"{base}/member-invitations", json=invite,
                                   headers={"Referer": f"{auth.origin}/settings/team"})
    assert by_referer.status_code == 201


def test_bearer_requests_need_no_origin(auth):
    owner = auth.sign_up(plan="pro")
    response = auth.api().post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                               json={"email": "bearer@example.com", "role": "member"},
                               headers=owner.bearer)
    assert response.status_code == 201


def test_a_login_form_posted_from_another_site_is_refused(auth):
    owner = auth.sign_up()
    response = auth.api().post("/auth/v1/login", headers={"Origin": EVIL},
                               json={"email": owner.email, "password": PASSWORD})
    assert response.status_code == 403 and "cs_session" not in _cookies(response)


def test_connect_is_a_post_answering_json_to_fetch_and_303_to_a_form(auth):
    owner = auth.sign_up()
    path = f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect"
    assert owner.client.get(path).status_code == 405
    fetched = owner.client.post(path)
    assert fetched.status_code == 200 and fetched.json["authorize_url"].startswith("http")
    form = owner.client.post(path, data={"go": "1"})
    assert form.status_code == 303 and "state=" in form.headers["Location"]


def test_every_answer_carries_the_security_headers(auth):
    plain = auth.api().get("/healthz")
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in plain.headers  # http on loopback only
    https = auth.variant(AUTH_PUBLIC_URL="https://app.example.com", AUTH_COOKIE_SECURE="true",
                         AUTH_ARGON2_MEMORY_KIB="19456", AUTH_ARGON2_TIME_COST="2")
    answer = https.api().get("/healthz")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
