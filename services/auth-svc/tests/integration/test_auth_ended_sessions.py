"""Finding 3: logout and removal end access within seconds, not at the access token's
expiry. auth-svc's own routes refuse at once; another service (here a verifier built
exactly as portal-svc builds one, talking HTTP to a real auth-svc process) refuses after
its next poll of the ended-sessions list."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from clientsynq.common.auth import (
    HttpEndedSessions,
    InvalidToken,
    JwksCache,
    SessionRevocations,
    TokenVerifier,
)

pytestmark = pytest.mark.integration
POLL_SECONDS = 2


@pytest.fixture
def auth_url(auth) -> Iterator[str]:
    with auth.process() as base:
        yield base


def _other_service_verifier(auth, base: str, ticks: list[float]) -> TokenVerifier:
    """``ticks[0]`` is the verifier's monotonic clock: the test moves it, never sleeps."""
    ended = HttpEndedSessions(base, "portal-svc", auth.env["SERVICE_SECRET_PORTAL"])
    return TokenVerifier(JwksCache(f"{base}/.well-known/jwks.json"), "clientsynq-auth",
                         "clientsynq", sessions=SessionRevocations(
                             ended, poll_seconds=POLL_SECONDS, clock=lambda: ticks[0]))


def test_logout_and_removal_end_access_everywhere_within_seconds(auth, auth_url):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    other_sign_in = auth.log_in(owner.email)
    ticks = [0.0]
    verifier = _other_service_verifier(auth, auth_url, ticks)
    for account in (owner, member, other_sign_in):
        assert verifier.verify(account.access_token).subject == account.user_id

    assert auth.browser().post("/auth/v1/logout", json={
        "refresh_token": owner.refresh_token}).status_code == 204
    assert auth.remove(other_sign_in, member.user_id).status_code == 204

    for ended in (owner, member):  # auth-svc itself: at once
        me = auth.browser().get("/auth/v1/me", headers=ended.bearer)
        assert me.status_code == 401 and "session ended" in me.json["detail"]
    ticks[0] += POLL_SECONDS  # another service: at its next poll
    for ended in (owner, member):
        with pytest.raises(InvalidToken, match="session ended"):
            verifier.verify(ended.access_token)
    assert verifier.verify(other_sign_in.access_token).subject == owner.user_id
    assert auth.browser().get("/auth/v1/me", headers=other_sign_in.bearer).status_code == 200


def test_a_replayed_refresh_token_ends_the_access_token_too(auth):
    owner = auth.sign_up()
    rotated = auth.api().post("/auth/v1/token/refresh",
                                  json={"refresh_token": owner.refresh_token})
    assert rotated.status_code == 200
    replay = auth.api().post("/auth/v1/token/refresh",
                                 json={"refresh_token": owner.refresh_token})
    assert replay.status_code == 401
    fresh = {"Authorization": f"Bearer {rotated.json['access_token']}"}
    assert auth.browser().get("/auth/v1/me", headers=fresh).status_code == 401


def test_the_ended_sessions_list_needs_a_service_credential_and_a_valid_since(auth, auth_url):
    url = f"{auth_url}/internal/v1/sessions/ended"
    assert requests.get(url, timeout=5).status_code == 401
    headers = {"Authorization": f"Service portal-svc:{auth.env['SERVICE_SECRET_PORTAL']}"}
    bad = requests.get(url, params={"since": "yesterday"}, headers=headers, timeout=5)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
    naive = requests.get(url, params={"since": "2026-01-01T00:00:00"}, headers=headers,
                         timeout=5)
    assert naive.status_code == 400
    listed = requests.get(url, headers=headers, timeout=5).json()
    assert set(listed) == {"ended_sessions", "as_of"}
