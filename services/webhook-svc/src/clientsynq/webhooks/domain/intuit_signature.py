"""The `intuit-signature` check, with verifier-token rotation.

Intuit signs the raw body with the app's verifier token: base64(HMAC-SHA256(token, body)).
When the token is regenerated in Intuit's developer portal, notifications already queued or
being retried by Intuit are still signed with the old one, so the old token stays valid
for a grace period (until `previous_valid_until`), then never again.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from clientsynq.webhooks.domain.errors import InvalidSignature


@dataclass(frozen=True)
class VerifierTokens:
    current: str = field(repr=False)
    previous: str | None = field(default=None, repr=False)
    previous_valid_until: datetime | None = None

    def valid_at(self, now: datetime) -> list[str]:
        tokens = [self.current]
        if self.previous and self.previous_valid_until and now < self.previous_valid_until:
            tokens.append(self.previous)
        return tokens


def intuit_signature(token: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()


def check_intuit_signature(tokens: VerifierTokens, body: bytes, header: str | None,
                           clock: Callable[[], datetime]) -> None:
    """Raise InvalidSignature unless `header` signs `body` with a token valid now.

    Compared as bytes in constant time, every valid token tried (no early exit that would
    tell an attacker which token almost matched)."""
    if not header:
        raise InvalidSignature("The intuit-signature header is missing.")
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignature("The intuit-signature header is not base64.") from None
    matched = False
    for token in tokens.valid_at(clock()):
        expected = hmac.new(token.encode(), body, hashlib.sha256).digest()
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise InvalidSignature("The intuit-signature does not match the body.")
