"""A verifier refuses access tokens of ended sessions once its copy of auth-svc's list is
refreshed (every ``poll_seconds``), keeps working through a short outage of the list, and
refuses to guess (503) once the copy is too old."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.common.auth import (
    EndedSessions,
    InvalidToken,
    RevocationsUnavailable,
    SessionRevocations,
    StaticKeySource,
    TokenVerifier,
    principal_from_claims,
)
from clientsynq.common.auth.revocation import parse_ended_sessions

from .auth_helpers import AUDIENCE, ISSUER, KEY, KID, owner_token, valid_claims

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class FakeEndedSessions:
    """Our own port (``EndedSessionsSource``): what auth-svc's endpoint would answer."""

    def __init__(self) -> None:
        self.ended: dict[str, datetime] = {}
        self.now = T0
        self.down = False
        self.asked: list[datetime | None] = []

    def end(self, session_id: str) -> None:
        self.ended[session_id] = self.now

    def ended_since(self, since: datetime | None) -> EndedSessions:
        self.asked.append(since)
        if self.down:
            raise ConnectionError("auth-svc unreachable")
        found: Mapping[str, datetime] = {s: at for s, at in self.ended.items()
                                         if since is None or at > since}
        return EndedSessions(ended=dict(found), as_of=self.now)


class Ticks:
    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def world() -> tuple[FakeEndedSessions, Ticks, TokenVerifier]:
    source, ticks = FakeEndedSessions(), Ticks()
    sessions = SessionRevocations(source, poll_seconds=2, max_stale_seconds=30, clock=ticks)
    verifier = TokenVerifier(StaticKeySource({KID: KEY.public_key()}), ISSUER, AUDIENCE,
                             sessions=sessions)
    return source, ticks, verifier


def test_a_token_of_an_ended_session_is_refused_within_the_poll_interval(world):
    source, ticks, verifier = world
    token, other = owner_token(session_id="s-1"), owner_token(session_id="s-2")
    assert verifier.verify(token).session_id == "s-1"

    source.end("s-1")
    ticks.value += 2

    with pytest.raises(InvalidToken, match="session ended"):
        verifier.verify(token)
    assert verifier.verify(other).session_id == "s-2"


def test_polls_ask_only_for_what_is_new_with_a_small_overlap(world):
    source, ticks, verifier = world
    verifier.verify(owner_token(session_id="s-1"))
    source.now += timedelta(minutes=1)
    ticks.value += 1
    verifier.verify(owner_token(session_id="s-1"))  # within poll_seconds: no call
    ticks.value += 1
    verifier.verify(owner_token(session_id="s-1"))
    assert source.asked[0] is None and len(source.asked) == 2
    assert source.asked[1] is not None and source.asked[1] < T0


def test_a_short_outage_keeps_the_last_list_and_a_long_one_answers_503(world):
    source, ticks, verifier = world
    source.end("s-1")
    token = owner_token(session_id="s-1")
    with pytest.raises(InvalidToken):
        verifier.verify(token)
    source.down = True
    ticks.value += 20
    with pytest.raises(InvalidToken):
        verifier.verify(token)  # still known as ended from the last good copy
    assert verifier.verify(owner_token(session_id="s-2")).subject == "user-1"
    ticks.value += 11
    with pytest.raises(RevocationsUnavailable):
        verifier.verify(owner_token(session_id="s-2"))


def test_sessions_older_than_any_token_are_forgotten():
    source, ticks = FakeEndedSessions(), Ticks()
    sessions = SessionRevocations(source, poll_seconds=1, retention_seconds=3600, clock=ticks)
    source.end("old")
    assert sessions.is_ended("tenant-1", "old")
    source.now += timedelta(hours=2)
    ticks.value += 1
    assert not sessions.is_ended("tenant-1", "old")


def test_the_endpoint_document_is_parsed_and_bad_ones_raise():
    parsed = parse_ended_sessions({"ended_sessions": [
        {"session_id": "a", "ended_at": "2026-01-01T00:00:00+00:00"}],
        "as_of": "2026-01-01T00:00:05+00:00"})
    assert parsed.ended == {"a": T0} and parsed.as_of == T0 + timedelta(seconds=5)
    with pytest.raises(KeyError):
        parse_ended_sessions({"as_of": "2026-01-01T00:00:05+00:00"})


def test_a_tampered_sid_claim_is_refused():
    with pytest.raises(InvalidToken, match="sid"):
        principal_from_claims({**valid_claims(), "sid": 7})


def test_the_ended_sessions_client_refuses_plain_http_off_loopback_and_off_cluster():
    from clientsynq.common.auth import HttpEndedSessions

    for url in ("http://auth.internal:8081", "http://auth.example.com",
                "http://10.0.0.7:8080", "http://[fd00::1]:8080", "http://svc.evil.com"):
        with pytest.raises(ValueError, match="https"):
            HttpEndedSessions(url, "portal-svc", "s" * 32)
    for url in ("https://auth.internal", "http://127.0.0.1:8081", "http://localhost:8081",
                "http://auth-svc:8080", "http://auth-svc.clientsynq.svc:8080",
                "http://auth-svc.clientsynq.svc.cluster.local:8080"):
        assert HttpEndedSessions(url, "portal-svc", "s" * 32)


def test_every_service_credential_url_follows_the_same_rule():
    """Finding 10: sync-svc, portal-svc and webhook-svc call this at start for every URL
    their service secret travels to (auth-svc's, sync-svc's controls API)."""
    from clientsynq.common.auth import check_credential_urls

    check_credential_urls("http://127.0.0.1:8081", "http://sync-svc:8080",
                          "https://auth.example.com")
    with pytest.raises(ValueError, match=r"http://auth\.example\.com"):
        check_credential_urls("http://auth-svc:8080", "http://auth.example.com")
