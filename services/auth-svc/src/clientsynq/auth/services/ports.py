"""The ports auth-svc's use cases depend on, defined on the inside: ``bootstrap.py`` alone
knows the adapters behind them (MongoDB stores, Intuit's OAuth endpoints), and a test may
put an in-memory fake of ours in their place (``tests/fakes.py``, held to the same contract
tests as the adapter)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from clientsynq.auth.domain.model import Connection
from clientsynq.auth.domain.records import OAuthState, Revocation, SealedTokens, StoredConnection

OPERATOR = "operator"  # the service name the operator's credential authenticates as


class OAuthStates(Protocol):
    """The ``state`` of each Connect to QuickBooks, stored as a digest, single use."""

    def add(self, digest: str, state: OAuthState, now: datetime) -> None: ...

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        """True once, unexpired, and only for the user and business that started it."""


class Connections(Protocol):
    """Each business's QuickBooks connection as append-only versions (the outbox rides in
    the version that caused it)."""

    def get(self, tenant_id: str) -> StoredConnection | None: ...

    def append(self, base: Connection | None, tenant_id: str, tokens: SealedTokens | None,
               events: Sequence[Mapping[str, Any]] = (),
               revoke: tuple[str, str] | None = None, **changes: Any) -> bool:
        """False when another writer appended the version after ``base`` first."""

    def mark_revoked(self, revocation: Revocation, now: datetime) -> None: ...

    def skip_revocations_for_realm(self, tenant_id: str, realm_id: str,
                                   now: datetime) -> None: ...

    def find_by_realm(self, realm_id: str) -> list[StoredConnection]: ...

    def due_for_idle_refresh(self, now: datetime, after_seconds: float,
                             expiry_margin_seconds: float,
                             limit: int = 100) -> list[Connection]: ...

    def pending_revocations(self, limit: int = 100) -> list[StoredConnection]: ...

    def purge_all_superseded(self) -> None: ...


class QboOAuth(Protocol):
    """Intuit's OAuth 2.0 endpoints and the one company read the connection needs."""

    def authorize_url(self, state: str) -> str: ...

    def exchange_code(self, code: str) -> dict[str, Any]: ...

    def refresh(self, refresh_token: str) -> dict[str, Any]: ...

    def revoke(self, token: str) -> None: ...

    def company_name(self, realm_id: str, access_token: str) -> str | None: ...
