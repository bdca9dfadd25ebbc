"""A verified access token is kept for a short while (`adapters/verified_tokens.py`): it
answers as a fresh verification would, its session's end still refuses it at once."""
from __future__ import annotations

import time

import pytest
from clientsynq.common.auth import (
    InvalidToken,
    JwtSigner,
    Principal,
    StaticKeySource,
    TokenVerifier,
    generate_signing_key,
)
from clientsynq.portal.adapters.verified_tokens import VerifiedTokens
from clocks import ManualClock


class Sessions:
    def __init__(self) -> None:
        self.ended: set[tuple[str, str]] = set()

    def is_ended(self, tenant_id: str, session_id: str) -> bool:
        return (tenant_id, session_id) in self.ended


class CountingVerifier(TokenVerifier):
    calls = 0

    def verify(self, token: str) -> Principal:
        self.calls += 1
        return super().verify(token)


def _setup(ttl_seconds: int = 600) -> tuple[VerifiedTokens, CountingVerifier, Sessions,
                                            ManualClock, str]:
    key = generate_signing_key()
    sessions = Sessions()
    inner = CountingVerifier(StaticKeySource({"k1": key.public_key()}), "iss", "aud",
                             sessions=sessions)
    clock = ManualClock(time.time())
    token = JwtSigner(key, "k1", "iss", "aud").issue(
        subject="u1", tenant_id="t1", role="owner", plan="pro", ttl_seconds=ttl_seconds,
        session_id="s1")
    kept = VerifiedTokens(inner, sessions, ttl_seconds=30, clock=clock)
    return kept, inner, sessions, clock, token


def test_a_token_is_verified_once_then_kept_for_the_ttl():
    tokens, inner, _, clock, token = _setup()
    assert tokens.verify(token) == tokens.verify(token)
    assert inner.calls == 1
    clock.now += 31
    assert tokens.verify(token).subject == "u1" and inner.calls == 2


def test_an_ended_session_is_refused_on_the_next_request_even_when_kept():
    tokens, _, sessions, _, token = _setup()
    tokens.verify(token)
    sessions.ended.add(("t1", "s1"))
    with pytest.raises(InvalidToken, match="session ended"):
        tokens.verify(token)


def test_a_kept_token_is_verified_again_once_it_expires_and_a_tampered_one_never_passes():
    tokens, inner, _, clock, token = _setup(ttl_seconds=10)
    tokens.verify(token)
    clock.now += 11  # past its exp, inside the 30 s ttl: not kept, verified again
    tokens.verify(token)
    assert inner.calls == 2
    head, body, signature = token.split(".")
    with pytest.raises(InvalidToken):
        tokens.verify(f"{head}.{body}.{signature[:-4]}AAAA")
