"""Rate limits on every pre-authentication action that costs us an argon2 hash (64 MiB a
try) or guesses at a secret: per client address and, where the request names one, per
email. Attempts are inserted documents counted by query, so concurrent attempts are never
lost even where updates are read-then-write (FerretDB 1.x)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import LoginRateLimited

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

WINDOW_SECONDS = 60


def limit_attempts(deps: Deps, action: str, client_ip: str, email: str | None = None) -> None:
    """Raise 429 (Retry-After 60) when this address or this email tried too often."""
    now, policy, throttle = deps.clock(), deps.settings.login, deps.stores.throttle
    if throttle.count_attempt(f"{action}:ip:{client_ip}", now) > policy.ip_attempts_per_minute:
        raise LoginRateLimited("Too many attempts from your network; wait a minute.",
                               retry_after=WINDOW_SECONDS)
    if email is not None:
        key = f"{action}:email:{secret_digest(email.strip().lower())}"
        if throttle.count_attempt(key, now) > policy.email_attempts_per_minute:
            raise LoginRateLimited("Too many attempts for this email; wait a minute.",
                                   retry_after=WINDOW_SECONDS)
