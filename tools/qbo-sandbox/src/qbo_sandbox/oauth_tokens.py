"""Grants, authorization codes, access and refresh tokens: Intuit's token custody rules.

A grant is one app connected to one company. Every token belongs to a grant, so revoking
any token of a grant (or the control API revoking a realm) kills all of them at once,
which is what "disconnect" means at Intuit.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from .errors import invalid_grant

CODE_SECONDS = 600
MAX_GRANT_SECONDS = 5 * 365 * 86400  # 2025 policy: refresh tokens live 5 years at most


@dataclass
class Grant:
    """One authorization of an app for a company."""

    grant_id: str
    client_id: str
    realm_id: str
    scopes: tuple[str, ...]
    created: float
    revoked: bool = False


@dataclass
class AuthCode:
    """A one-time authorization code bound to its client and redirect URI."""

    client_id: str
    redirect_uri: str
    realm_id: str
    scopes: tuple[str, ...]
    expires: float
    used: bool = False


@dataclass
class Token:
    """An access or refresh token; `active` turns false when a refresh rotates it."""

    grant_id: str
    kind: str
    expires: float
    active: bool = True


@dataclass(frozen=True)
class Lifetimes:
    """Token lifetimes in seconds (Intuit: 3600 and about 100 days)."""

    access: int = 3600
    refresh: int = 8_726_400


class TokenStore:
    """Thread-safe custody of every grant, code and token the sandbox issued."""

    def __init__(self, lifetimes: Lifetimes) -> None:
        self.lifetimes = lifetimes
        self._lock = threading.Lock()
        self._grants: dict[str, Grant] = {}
        self._codes: dict[str, AuthCode] = {}
        self._tokens: dict[str, Token] = {}
        self.counts: Counter[tuple[str, str]] = Counter()

    def issue_code(self, client_id: str, redirect_uri: str, realm_id: str,
                   scopes: tuple[str, ...]) -> str:
        """A code for the consent the user just gave; valid 10 minutes, once."""
        code = "AB11" + secrets.token_urlsafe(36)
        with self._lock:
            self._codes[code] = AuthCode(client_id, redirect_uri, realm_id, scopes,
                                         time.time() + CODE_SECONDS)
        return code

    def exchange_code(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        """authorization_code grant: a used, expired or foreign code is invalid_grant."""
        with self._lock:
            record = self._codes.get(code)
            if record is None or record.used or record.client_id != client_id:
                raise invalid_grant("Invalid authorization code")
            if record.expires < time.time():
                raise invalid_grant("Authorization code expired")
            if record.redirect_uri != redirect_uri:
                raise invalid_grant("redirect_uri does not match the authorization request")
            record.used = True
            grant = self._new_grant(client_id, record.realm_id, record.scopes)
            self.counts[(record.realm_id, "code_exchanges")] += 1
            return self._issue_pair(grant, self.lifetimes.refresh)

    def connect(self, client_id: str, realm_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        """Control-API shortcut: a grant and tokens without the browser dance."""
        with self._lock:
            grant = self._new_grant(client_id, realm_id, scopes)
            self.counts[(realm_id, "connections")] += 1
            response = self._issue_pair(grant, self.lifetimes.refresh)
        response["realmId"] = realm_id
        return response

    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        """refresh_token grant. The refresh token rotates on every call: the old one dies."""
        with self._lock:
            token = self._tokens.get(refresh_token)
            grant = self._grants.get(token.grant_id) if token else None
            if (token is None or grant is None or token.kind != "refresh" or not token.active
                    or grant.revoked or grant.client_id != client_id):
                raise invalid_grant()
            now = time.time()
            if token.expires < now:
                raise invalid_grant("Token has been expired or revoked")
            token.active = False
            self.counts[(grant.realm_id, "token_refreshes")] += 1
            return self._issue_pair(grant, self.lifetimes.refresh)

    def revoke(self, client_id: str, value: str) -> bool:
        """Revoke the grant behind a token: the app is disconnected from the company."""
        with self._lock:
            token = self._tokens.get(value)
            grant = self._grants.get(token.grant_id) if token else None
            if grant is None or grant.client_id != client_id:
                return False
            self._disconnect(grant.client_id, grant.realm_id)
            self.counts[(grant.realm_id, "revocations")] += 1
            return True

    def authenticate(self, access_token: str) -> Grant:
        """The live grant behind a bearer token, or AuthenticationError with the reason."""
        with self._lock:
            token = self._tokens.get(access_token)
            if token is None or token.kind != "access":
                raise AuthenticationError("Invalid access token")
            grant = self._grants[token.grant_id]
            if grant.revoked or not token.active:
                raise AuthenticationError("Token revoked")
            if token.expires < time.time():
                raise AuthenticationError("Token expired")
            return grant

    def expire(self, kinds: set[str], value: str | None = None,
               realm_id: str | None = None) -> int:
        """Make tokens (one by value, or all of a realm) look past their lifetime."""
        with self._lock:
            hits = [t for v, t in self._tokens.items()
                    if t.kind in kinds and (value is None or v == value)
                    and (realm_id is None or self._grants[t.grant_id].realm_id == realm_id)]
            for token in hits:
                token.expires = time.time() - 1
            return len(hits)

    def revoke_all(self, value: str | None = None, realm_id: str | None = None) -> int:
        """Control API: disconnect by token value or every app of a realm."""
        with self._lock:
            grants = [self._grants[t.grant_id] for v, t in self._tokens.items() if v == value]
            if realm_id is not None:
                grants += [g for g in self._grants.values() if g.realm_id == realm_id]
            pairs = {(g.client_id, g.realm_id) for g in grants if not g.revoked}
            for client_id, realm in pairs:
                self._disconnect(client_id, realm)
            return len(pairs)

    def connected_clients(self, realm_id: str) -> set[str]:
        """Client ids with a live grant on the realm: they receive its webhooks."""
        with self._lock:
            return {g.client_id for g in self._grants.values()
                    if g.realm_id == realm_id and not g.revoked}

    def totals(self, realm_id: str | None) -> dict[str, int]:
        """Counters (token_refreshes, code_exchanges, ...) for one realm or all."""
        names = ("token_refreshes", "code_exchanges", "connections", "revocations")
        with self._lock:
            return {name: sum(v for (realm, key), v in self.counts.items()
                              if key == name and realm_id in (None, realm))
                    for name in names}

    def _new_grant(self, client_id: str, realm_id: str, scopes: tuple[str, ...]) -> Grant:
        grant = Grant(secrets.token_hex(8), client_id, realm_id, scopes, time.time())
        self._grants[grant.grant_id] = grant
        return grant

    def _issue_pair(self, grant: Grant, refresh_seconds: int) -> dict[str, Any]:
        now = time.time()
        refresh_left = int(min(refresh_seconds, grant.created + MAX_GRANT_SECONDS - now))
        access = "eyJ" + secrets.token_urlsafe(96)
        refresh = "AB11" + secrets.token_urlsafe(36)
        self._tokens[access] = Token(grant.grant_id, "access", now + self.lifetimes.access)
        self._tokens[refresh] = Token(grant.grant_id, "refresh", now + refresh_left)
        return {"token_type": "bearer", "access_token": access,
                "expires_in": self.lifetimes.access, "refresh_token": refresh,
                "x_refresh_token_expires_in": refresh_left}

    def _disconnect(self, client_id: str, realm_id: str) -> None:
        for grant in self._grants.values():
            if grant.client_id == client_id and grant.realm_id == realm_id:
                grant.revoked = True

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to survive a restart (persistence)."""
        with self._lock:
            return {"grants": [asdict(g) for g in self._grants.values()],
                    "tokens": {v: asdict(t) for v, t in self._tokens.items()}}

    def restore(self, data: dict[str, Any]) -> None:
        """Load a snapshot written by `snapshot`."""
        with self._lock:
            for raw in data.get("grants", []):
                grant = Grant(**{**raw, "scopes": tuple(raw["scopes"])})
                self._grants[grant.grant_id] = grant
            self._tokens.update({v: Token(**t) for v, t in data.get("tokens", {}).items()})

    def clear(self) -> None:
        """Forget everything (control API reset)."""
        with self._lock:
            self._grants.clear()
            self._codes.clear()
            self._tokens.clear()
            self.counts.clear()


class AuthenticationError(Exception):
    """Why a bearer token was refused; the guard turns it into Intuit's 401."""
