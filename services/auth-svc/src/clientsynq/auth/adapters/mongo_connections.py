"""The QuickBooks connection of each business as append-only versions.

FerretDB 1.x applies a filtered update as read-then-write, so a compare-and-set update is
not atomic there, and two writers (or a writer and the outbox relay) can lose each other's
change. A lost token write is fatal (QBO has already rotated the refresh token), so every
change of a connection *inserts* version N+1 (``_id = <tenant>#<N+1>``): of two writers
that read version N exactly one insert succeeds, on FerretDB and MongoDB alike. The
``connection.changed`` events ride in the same inserted document (the outbox), which is
then only ever touched by the relay.

Reading the latest version is the query on ``tenant_id`` by the index (``tenant_id``,
``version``): a business has a few versions at most. (Until FerretDB's filter pushdown
(docs/local-infrastructure.md) the local server scanned every version of every business
for it, 1 s each at 1,000 businesses, and a walk by `_id` from a remembered version stood
in for it; it needed superseded versions purged in version order, which one `delete_many`
does not promise, and is gone.) A superseded version is deleted as soon as nothing needs
it: its events relayed, its revocation done.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from clientsynq.auth.domain.model import NEAR_END_MIN_GAP_SECONDS, Connection, ConnectionStatus
from clientsynq.auth.domain.records import Revocation, SealedTokens, StoredConnection
from clientsynq.common.outbox import PENDING, outbox_fields
from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "connection_versions"


class ConnectionStore:
    def __init__(self, db: Database[Any]) -> None:
        self._versions = db[COLLECTION]

    def get(self, tenant_id: str) -> StoredConnection | None:
        """The latest version: the connection as it is now."""
        doc = self._versions.find_one({"tenant_id": tenant_id}, sort=[("version", DESCENDING)])
        return None if doc is None else _stored(doc)

    def append(self, base: Connection | None, change: Connection, tokens: SealedTokens | None,
               events: Sequence[Mapping[str, Any]] = (),
               revoke: tuple[str, str] | None = None) -> bool:
        """Insert `change` as the version after ``base``; False if another writer inserted
        it first (the caller re-reads and decides again)."""
        tenant_id = change.tenant_id
        version = (base.token_version if base is not None else 0) + 1
        doc: dict[str, Any] = {**_fields(change), "_id": _doc_id(tenant_id, version),
                               "tenant_id": tenant_id, "version": version,
                               "tokens": _tokens_doc(tokens), "revocation": None}
        if revoke is not None:
            doc["revocation"] = {"realm_id": revoke[0], "token": revoke[1], "done_at": None}
        if events:
            doc.update(outbox_fields(events))
        try:
            self._versions.insert_one(doc)
        except DuplicateKeyError:
            return False
        if version > 1:  # a first version supersedes nothing: spare the purge's round trip
            self._purge_superseded(tenant_id, version)
        return True

    def mark_revoked(self, revocation: Revocation, now: datetime) -> None:
        """Idempotent: if this races the relay on FerretDB, at worst we revoke twice."""
        self._versions.update_one({"_id": revocation.doc_id},
                                  {"$set": {"revocation.done_at": now}})

    def skip_revocations_for_realm(self, tenant_id: str, realm_id: str, now: datetime) -> None:
        """Reconnecting a realm: revoking its old grant now would kill the new one too
        (Intuit disconnects the app from the company, every grant of it)."""
        self._versions.update_many(
            {"tenant_id": tenant_id, "revocation.realm_id": realm_id,
             "revocation.done_at": None},
            {"$set": {"revocation.done_at": now, "revocation.skipped": True}})

    def find_by_realm(self, realm_id: str) -> list[StoredConnection]:
        """Intuit's disconnect callback names only the realm: the tenant is what we look up."""
        tenants = {doc["tenant_id"] for doc in self._versions.find({"realm_id": realm_id},
                                                                   {"tenant_id": 1})}
        latest = (self.get(tenant_id) for tenant_id in sorted(tenants))
        return [s for s in latest if s is not None and s.connection.realm_id == realm_id]

    def due_for_idle_refresh(self, now: datetime, after_seconds: float,
                             expiry_margin_seconds: float, limit: int = 100) -> list[Connection]:
        """The worker's sweep over every business (cross-tenant by nature).

        The query finds candidate *versions*; older versions stay while their events await
        the relay, so each candidate business is judged again by its latest version (the
        domain's rule), and ``limit`` counts businesses, not versions."""
        gap = now - timedelta(seconds=NEAR_END_MIN_GAP_SECONDS)
        cursor = self._versions.find({"status": ConnectionStatus.CONNECTED, "$or": [
            {"last_refresh_at": {"$lt": now - timedelta(seconds=after_seconds)}},
            {"refresh_expires_at": {"$lt": now + timedelta(seconds=expiry_margin_seconds)},
             "last_refresh_at": {"$lt": gap}}]}, {"tenant_id": 1}).sort("tenant_id", 1)
        due: list[Connection] = []
        seen: set[str] = set()
        for doc in cursor:
            if doc["tenant_id"] in seen:
                continue
            seen.add(doc["tenant_id"])
            latest = self.get(doc["tenant_id"])
            if latest is not None and latest.connection.needs_idle_refresh(
                    now, after_seconds, expiry_margin_seconds):
                due.append(latest.connection)
                if len(due) >= limit:
                    break
        return due

    def pending_revocations(self, limit: int = 100) -> list[StoredConnection]:
        cursor = self._versions.find({"revocation.done_at": None, "revocation.token":
                                      {"$exists": True}}).limit(limit)
        return [_stored(doc) for doc in cursor]

    def purge_all_superseded(self) -> None:
        """Worker sweep: versions left behind because they were still being relayed."""
        tenants = {d["tenant_id"] for d in self._versions.find({"tokens": {"$ne": None}},
                                                               {"tenant_id": 1})}
        for tenant_id in tenants:
            latest = self.get(tenant_id)
            if latest is not None:
                self._purge_superseded(tenant_id, latest.connection.token_version)

    def _purge_superseded(self, tenant_id: str, latest: int) -> None:
        """Old versions hold old (sealed) tokens: gone as soon as nothing needs them (their
        events relayed, their revocation done)."""
        self._versions.delete_many({
            "tenant_id": tenant_id, "version": {"$lt": latest}, PENDING: {"$ne": True},
            "$or": [{"revocation": None}, {"revocation.done_at": {"$ne": None}}]})


def _doc_id(tenant_id: str, version: int) -> str:
    return f"{tenant_id}#{version:012d}"


def _fields(c: Connection) -> dict[str, Any]:
    """A version's stored fields (tokens, events and revocation are stored apart)."""
    return {"realm_id": c.realm_id, "status": c.status, "company_name": c.company_name,
            "connected_at": c.connected_at, "changed_at": c.changed_at,
            "last_refresh_at": c.last_refresh_at, "access_expires_at": c.access_expires_at,
            "refresh_expires_at": c.refresh_expires_at, "reason": c.reason}


def _tokens_doc(tokens: SealedTokens | None) -> dict[str, str] | None:
    if tokens is None:
        return None
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
        token_version=int(doc["version"]), reason=doc.get("reason"))
    rev = doc.get("revocation")
    revocation = None
    if rev and rev.get("done_at") is None:
        revocation = Revocation(doc_id=str(doc["_id"]), realm_id=rev["realm_id"],
                                token=rev["token"])
    return StoredConnection(connection=connection, tokens=tokens, revocation=revocation)
