"""Access tokens verified once, then known for a short while, per process.

Verifying an Ed25519 JWT (PyJWT's header and base64 checks, the signature, the claims) was
about a third of the CPU of an API read served from the page cache. Nothing a signature or a
claim says can change, so a verified token's principal is kept, keyed by the whole token,
until the earlier of its expiry and `ttl_seconds` (30 s, as long as an API key's check is
kept). What can change is asked again on every request: whether its session has ended
(auth-svc's list, the same check `TokenVerifier` makes). So a kept token answers exactly as
a fresh verification would, except that a signing key withdrawn from auth-svc's JWKS stops
working here up to `ttl_seconds` later (the key set itself is kept for 5 minutes).
"""
from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable

from clientsynq.common.auth import InvalidToken, Principal, TokenVerifier
from clientsynq.common.auth.revocation import SessionCheck

MAX_TOKENS = 10_000  # then forgotten all at once


class VerifiedTokens:
    def __init__(self, verifier: TokenVerifier, sessions: SessionCheck | None, *,
                 ttl_seconds: float = 30.0, clock: Callable[[], float] = time.time) -> None:
        self._verifier, self._sessions = verifier, sessions
        self._ttl, self._clock = ttl_seconds, clock
        self._known: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """As `TokenVerifier.verify`: a Principal or InvalidToken."""
        now = self._clock()
        with self._lock:
            known = self._known.get(token)
        if known is None or known[1] <= now:
            principal = self._verifier.verify(token)
            self._keep(token, principal, min(now + self._ttl, _expiry(token)))
            return principal
        principal = known[0]
        if self._sessions is not None and principal.session_id is not None and \
                self._sessions.is_ended(principal.tenant_id, principal.session_id):
            raise InvalidToken("session ended")
        return principal

    def _keep(self, token: str, principal: Principal, until: float) -> None:
        with self._lock:
            if len(self._known) >= MAX_TOKENS:
                self._known.clear()
            self._known[token] = (principal, until)


def _expiry(token: str) -> float:
    """The `exp` of a token just verified (so well formed); 0 (never kept) if absent."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return 0.0
