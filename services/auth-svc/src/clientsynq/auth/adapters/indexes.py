"""Every index auth-svc needs; created at start by web and worker alike (idempotent)."""
from __future__ import annotations

from typing import Any

from clientsynq.auth.adapters.mongo_connections import COLLECTION
from clientsynq.common.lease import lease_indexes
from clientsynq.common.mongo import ensure_indexes
from clientsynq.common.outbox import outbox_indexes
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database


def _expiring(field: str = "expires_at") -> IndexModel:
    """Expired documents vanish (where the server supports TTL; they are refused anyway)."""
    return IndexModel([(field, ASCENDING)], expireAfterSeconds=0, name=f"{field}_ttl")


INDEXES = {
    "tenants": [IndexModel([("tenant_id", ASCENDING)], name="tenant_id")],
    "users": [IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
              IndexModel([("tenant_id", ASCENDING), ("created_at", ASCENDING)],
                         name="tenant_users")],
    "login_failures": [IndexModel([("key", ASCENDING), ("at", ASCENDING)], name="key_at"),
                       _expiring()],
    "login_locks": [IndexModel([("key", ASCENDING), ("until", DESCENDING)], name="key_until"),
                    _expiring()],
    "login_attempts": [IndexModel([("key", ASCENDING), ("at", ASCENDING)], name="key_at"),
                       _expiring()],
    "login_attempt_heads": [_expiring()],
    "refresh_tokens": [IndexModel([("tenant_id", ASCENDING), ("family_id", ASCENDING)],
                                  name="tenant_family"),
                       IndexModel([("tenant_id", ASCENDING), ("subject", ASCENDING)],
                                  name="tenant_subject"), _expiring()],
    "refresh_token_uses": [_expiring()],
    "revoked_session_families": [_expiring(),
                                 IndexModel([("revoked_at", ASCENDING)], name="revoked_at")],
    "oauth_states": [_expiring()],
    "oauth_state_uses": [_expiring()],
    COLLECTION: [IndexModel([("tenant_id", ASCENDING), ("version", DESCENDING)],
                            name="tenant_version"),
                 IndexModel([("realm_id", ASCENDING)], name="realm"),
                 IndexModel([("status", ASCENDING), ("last_refresh_at", ASCENDING)],
                            name="status_refresh"), *outbox_indexes()],
    "invitations": [IndexModel([("tenant_id", ASCENDING), ("digest", ASCENDING)],
                               unique=True, name="tenant_digest"),
                    IndexModel([("tenant_id", ASCENDING), ("kind", ASCENDING),
                                ("created_at", DESCENDING)], name="tenant_kind_created")],
    "clients": [IndexModel([("email", ASCENDING)], name="email")],
    "api_keys": [IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)],
                            name="tenant_created")],
    "audit_events": [IndexModel([("tenant_id", ASCENDING), ("at", DESCENDING)],
                                name="tenant_at")],
    "leases": lease_indexes(),
    "disconnect_checks": [_expiring()],
    "password_resets": [_expiring()],
    "password_reset_uses": [_expiring()],
    "signup_requests": [_expiring()],
    "signup_request_uses": [_expiring()],
    "token_journal": [IndexModel([("tenant_id", ASCENDING), ("realm_id", ASCENDING),
                                  ("at", DESCENDING)], name="tenant_realm_at"), _expiring()],
}


def ensure_auth_indexes(db: Database[Any]) -> None:
    ensure_indexes(db, INDEXES)
