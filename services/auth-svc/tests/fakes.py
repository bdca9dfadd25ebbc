"""In-memory fakes of auth-svc's own ports (``clientsynq.auth.services.ports``), for unit
tests that explore use-case logic without MongoDB. Each fake passes the same contract tests
as its adapter (``tests/contract/``), so the two cannot drift apart."""
from __future__ import annotations

import threading
from datetime import datetime

from clientsynq.auth.domain.records import OAuthState


class FakeOAuthStates:
    """``OAuthStates`` in memory: single use, unexpired, for its user and business only."""

    def __init__(self) -> None:
        self._states: dict[str, OAuthState] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def add(self, digest: str, state: OAuthState, now: datetime) -> None:
        with self._lock:
            self._states[digest] = state

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        with self._lock:
            state = self._states.get(digest)
            if state is None or (state.tenant_id, state.user_id) != (tenant_id, user_id) \
                    or state.expires_at <= now or digest in self._used:
                return False
            self._used.add(digest)
            return True
