"""Enterprise API keys (digests only) and the per-business audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from clientsynq.auth.domain.records import ApiKey, AuditEntry
from pymongo import DESCENDING
from pymongo.database import Database


class ApiKeyStore:
    def __init__(self, db: Database[Any]) -> None:
        self._keys = db["api_keys"]

    def add(self, key: ApiKey, digest: str) -> None:
        self._keys.insert_one({"_id": key.key_id, "tenant_id": key.tenant_id, "name": key.name,
                               "prefix": key.prefix, "scopes": list(key.scopes),
                               "digest": digest, "created_at": key.created_at,
                               "created_by": key.created_by, "revoked_at": None})

    def list(self, tenant_id: str) -> list[ApiKey]:
        cursor = self._keys.find({"tenant_id": tenant_id}).sort("created_at", DESCENDING)
        return [_key(doc) for doc in cursor]

    def revoke(self, tenant_id: str, key_id: str, now: datetime) -> bool:
        result = self._keys.update_one({"_id": key_id, "tenant_id": tenant_id,
                                        "revoked_at": None}, {"$set": {"revoked_at": now}})
        return result.matched_count == 1

    def revoke_created_by(self, tenant_id: str, user_id: str, now: datetime) -> int:
        result = self._keys.update_many({"tenant_id": tenant_id, "created_by": user_id,
                                         "revoked_at": None}, {"$set": {"revoked_at": now}})
        return result.modified_count

    def exists(self, tenant_id: str, key_id: str) -> bool:
        return self._keys.count_documents({"_id": key_id, "tenant_id": tenant_id}) == 1

    def active_digest(self, tenant_id: str, key_id: str) -> tuple[ApiKey, str] | None:
        doc = self._keys.find_one({"_id": key_id, "tenant_id": tenant_id, "revoked_at": None})
        return None if doc is None else (_key(doc), str(doc["digest"]))


def _key(doc: dict[str, Any]) -> ApiKey:
    return ApiKey(key_id=doc["_id"], tenant_id=doc["tenant_id"], name=doc["name"],
                  prefix=doc["prefix"], scopes=tuple(doc["scopes"]),
                  created_at=doc["created_at"], created_by=doc["created_by"],
                  revoked_at=doc.get("revoked_at"))


class AuditLog:
    """Append-only; written after the fact it records, never in place of it."""

    def __init__(self, db: Database[Any]) -> None:
        self._entries = db["audit_events"]

    def record(self, entry: AuditEntry) -> None:
        self._entries.insert_one({"tenant_id": entry.tenant_id, "action": entry.action,
                                  "at": entry.at, "actor": entry.actor,
                                  "details": entry.details})

    def list(self, tenant_id: str, limit: int, action: str | None = None) -> list[AuditEntry]:
        query: dict[str, Any] = {"tenant_id": tenant_id}
        if action is not None:
            query["action"] = action
        cursor = self._entries.find(query).sort("at", DESCENDING).limit(limit)
        return [AuditEntry(tenant_id=doc["tenant_id"], action=doc["action"], at=doc["at"],
                           actor=doc.get("actor"), details=dict(doc.get("details") or {}))
                for doc in cursor]
