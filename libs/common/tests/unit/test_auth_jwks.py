from __future__ import annotations

from typing import Any

import pytest
import requests
from clientsynq.common.auth import InvalidToken, JwksCache, KeysUnavailable, TokenVerifier, jwks
from clocks import ManualClock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .auth_helpers import AUDIENCE, ISSUER, KEY, KID, signer

URL = "http://auth-svc/.well-known/jwks.json"
NEW_KEY = Ed25519PrivateKey.generate()


class FakeResponse:
    def __init__(self, document: Any, status: int = 200) -> None:
        self._document, self.status_code = document, status

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code}")

    def json(self) -> Any:
        return self._document


class FakeJwksEndpoint:
    """Serves whatever key set the test publishes and counts the fetches."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys
        self.calls = 0
        self.down = False

    def __call__(self, url: str, timeout: float) -> FakeResponse:
        assert url == URL and timeout > 0
        self.calls += 1
        if self.down:
            raise requests.ConnectionError("connection refused")
        return FakeResponse(jwks(self.keys))


@pytest.fixture
def endpoint() -> FakeJwksEndpoint:
    return FakeJwksEndpoint({KID: KEY.public_key()})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


@pytest.fixture
def cache(endpoint: FakeJwksEndpoint, clock: ManualClock) -> JwksCache:
    return JwksCache(URL, ttl_seconds=300, http_get=endpoint, clock=clock)


def verify(cache: JwksCache, token: str) -> str:
    return TokenVerifier(cache, ISSUER, AUDIENCE).verify(token).subject


def token(key: Ed25519PrivateKey = KEY, kid: str = KID) -> str:
    return signer(key=key, kid=kid).issue(subject="u-1", tenant_id="t", role="owner", plan="pro")


def test_keys_are_fetched_once_and_cached(cache: JwksCache, endpoint: FakeJwksEndpoint) -> None:
    for _ in range(5):
        assert verify(cache, token()) == "u-1"

    assert endpoint.calls == 1


def test_keys_are_refetched_after_the_ttl(
    cache: JwksCache, endpoint: FakeJwksEndpoint, clock: ManualClock
) -> None:
    verify(cache, token())
    clock.now += 301

    verify(cache, token())

    assert endpoint.calls == 2


def test_a_new_kid_triggers_exactly_one_refetch(
    cache: JwksCache, endpoint: FakeJwksEndpoint, clock: ManualClock
) -> None:
    verify(cache, token())
    clock.now += 31
    endpoint.keys = {KID: KEY.public_key(), "2025-07": NEW_KEY.public_key()}

    assert verify(cache, token(NEW_KEY, "2025-07")) == "u-1"
    assert verify(cache, token(NEW_KEY, "2025-07")) == "u-1"
    assert endpoint.calls == 2


def test_unknown_kids_cannot_make_us_hammer_the_jwks(
    cache: JwksCache, endpoint: FakeJwksEndpoint, clock: ManualClock
) -> None:
    verify(cache, token())
    clock.now += 31

    for attempt in range(10):
        with pytest.raises(InvalidToken, match="unknown signing key"):
            verify(cache, token(NEW_KEY, f"made-up-{attempt}"))

    assert endpoint.calls == 2


def test_an_outage_keeps_the_cached_keys_working(
    cache: JwksCache, endpoint: FakeJwksEndpoint, clock: ManualClock
) -> None:
    verify(cache, token())
    endpoint.down = True
    clock.now += 301

    assert verify(cache, token()) == "u-1"


def test_no_keys_at_all_is_a_503_not_a_401(endpoint: FakeJwksEndpoint, clock: ManualClock) -> None:
    endpoint.down = True
    cache = JwksCache(URL, http_get=endpoint, clock=clock)

    with pytest.raises(KeysUnavailable) as caught:
        verify(cache, token())

    assert caught.value.status == 503


def test_unusable_keys_in_the_document_are_skipped(clock: ManualClock) -> None:
    document = jwks({KID: KEY.public_key()})
    document["keys"] += [{"kty": "OKP", "crv": "Ed25519", "kid": "broken", "x": "!!"},
                         {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "junk"]
    cache = JwksCache(URL, http_get=lambda url, timeout: FakeResponse(document), clock=clock)

    assert verify(cache, token()) == "u-1"
