"""The QuickBooks connection of each business: state, sealed tokens and outbox, one document.

Every change is one ``update_one`` on the business's document, filtered by the token
version the caller read: the tokens, the status and the ``connection.changed`` event are
written together or not at all (FerretDB has no multi-document transactions), and a
writer that lost a race changes nothing.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from clientsynq.auth.domain.model import NEAR_END_MIN_GAP_SECONDS, Connection, ConnectionStatus
from clientsynq.common.outbox import with_outbox
from pymongo import ASCENDING
from pymongo.database import Database

COLLECTION = "connections"
_CLEARED_TOKENS = {"tokens": None, "access_expires_at": None}


@dataclass(frozen=True)
class SealedTokens:
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    key_id: str


@dataclass(frozen=True)
class StoredConnection:
    connection: Connection
    tokens: SealedTokens | None
    pending_revocations: tuple[Mapping[str, str], ...] = ()


class ConnectionStore:
    def __init__(self, db: Database[Any]) -> None:
        self._connections = db[COLLECTION]

    def get(self, tenant_id: str) -> StoredConnection | None:
        doc = self._connections.find_one({"_id": tenant_id, "tenant_id": tenant_id})
        return None if doc is None else _stored(doc)

    def save_connected(self, tenant_id: str, realm_id: str, company_name: str | None,
                       tokens: SealedTokens, expires: tuple[datetime, datetime], now: datetime,
                       events: Sequence[Mapping[str, Any]],
                       pending_revocation: Mapping[str, str] | None = None) -> None:
        """A new grant always wins: whatever was stored is replaced (reconnect, switch)."""
        fields = {"tenant_id": tenant_id, "realm_id": realm_id, "status": "connected",
                  "company_name": company_name, "connected_at": now, "changed_at": now,
                  "last_refresh_at": now, "access_expires_at": expires[0],
                  "refresh_expires_at": expires[1], "reason": None,
                  "tokens": _tokens_doc(tokens)}
        update: dict[str, Any] = {"$set": fields, "$inc": {"token_version": 1}}
        update = with_outbox(update, events)
        if pending_revocation is not None:
            update["$push"]["pending_revocations"] = pending_revocation
        self._connections.update_one({"_id": tenant_id, "tenant_id": tenant_id}, update,
                                     upsert=True)

    def save_refreshed(self, tenant_id: str, seen_version: int, tokens: SealedTokens,
                       expires: tuple[datetime, datetime], now: datetime) -> bool:
        result = self._connections.update_one(
            {"_id": tenant_id, "tenant_id": tenant_id, "token_version": seen_version},
            {"$set": {"tokens": _tokens_doc(tokens), "access_expires_at": expires[0],
                      "refresh_expires_at": expires[1], "last_refresh_at": now},
             "$inc": {"token_version": 1}})
        return result.modified_count == 1

    def end(self, tenant_id: str, seen_version: int, status: str, reason: str | None,
            now: datetime, events: Sequence[Mapping[str, Any]],
            pending_revocation: Mapping[str, str] | None = None) -> bool:
        """Disconnected or expired: tokens deleted, realm and company kept for Reconnect."""
        update = with_outbox({"$set": {**_CLEARED_TOKENS, "status": status, "reason": reason,
                                       "changed_at": now},
                              "$inc": {"token_version": 1}}, events)
        if pending_revocation is not None:
            update["$push"]["pending_revocations"] = pending_revocation
        result = self._connections.update_one(
            {"_id": tenant_id, "tenant_id": tenant_id, "token_version": seen_version}, update)
        return result.modified_count == 1

    def drop_pending_revocation(self, tenant_id: str, revocation_id: str) -> None:
        self._connections.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                     {"$pull": {"pending_revocations": {"id": revocation_id}}})

    def drop_revocations_for_realm(self, tenant_id: str, realm_id: str) -> None:
        """Reconnecting a realm: revoking its old grant now would kill the new one too."""
        self._connections.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                     {"$pull": {"pending_revocations": {"realm_id": realm_id}}})

    def find_by_realm(self, realm_id: str) -> list[StoredConnection]:
        """Intuit's disconnect callback names only the realm: the tenant is what we look up."""
        return [_stored(doc) for doc in self._connections.find({"realm_id": realm_id})]

    def due_for_idle_refresh(self, now: datetime, after_seconds: float,
                             expiry_margin_seconds: float, limit: int = 100) -> list[Connection]:
        """The worker's sweep over every business (the one cross-tenant scan besides this)."""
        cursor = self._connections.find({"status": ConnectionStatus.CONNECTED, "$or": [
            {"last_refresh_at": {"$lt": now - timedelta(seconds=after_seconds)}},
            {"refresh_expires_at": {"$lt": now + timedelta(seconds=expiry_margin_seconds)},
             "last_refresh_at": {"$lt": now - timedelta(seconds=NEAR_END_MIN_GAP_SECONDS)}},
        ]}).sort("last_refresh_at", ASCENDING).limit(limit)
        return [_stored(doc).connection for doc in cursor]

    def with_pending_revocations(self, limit: int = 100) -> list[StoredConnection]:
        cursor = self._connections.find({"pending_revocations.0": {"$exists": True}})
        return [_stored(doc) for doc in cursor.limit(limit)]


def _tokens_doc(tokens: SealedTokens) -> dict[str, str]:
    return {"access": tokens.access, "refresh": tokens.refresh, "key_id": tokens.key_id}


def _stored(doc: Mapping[str, Any]) -> StoredConnection:
    raw = doc.get("tokens")
    tokens = None if not raw else SealedTokens(access=raw["access"], refresh=raw["refresh"],
                                               key_id=raw["key_id"])
    connection = Connection(
        tenant_id=doc["tenant_id"], realm_id=doc.get("realm_id"), status=doc["status"],
        company_name=doc.get("company_name"), connected_at=doc.get("connected_at"),
        changed_at=doc.get("changed_at"), last_refresh_at=doc.get("last_refresh_at"),
        access_expires_at=doc.get("access_expires_at"),
        refresh_expires_at=doc.get("refresh_expires_at"),
        token_version=int(doc.get("token_version", 0)), reason=doc.get("reason"))
    return StoredConnection(connection=connection, tokens=tokens,
                            pending_revocations=tuple(doc.get("pending_revocations") or ()))
