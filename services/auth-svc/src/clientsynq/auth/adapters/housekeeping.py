"""Deleting what has expired, for servers without TTL indexes (FerretDB 1.x ignores them).

Expired documents are refused by every query anyway; this only keeps collections small.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

EXPIRING = ("login_failures", "login_locks", "login_attempts", "login_attempt_heads",
            "refresh_tokens", "refresh_token_uses", "revoked_session_families",
            "oauth_states", "oauth_state_uses", "token_journal", "disconnect_checks",
            "password_resets", "password_reset_uses", "signup_requests",
            "signup_request_uses")


def purge_expired(db: Database[Any], now: datetime) -> int:
    return sum(db[name].delete_many({"expires_at": {"$lt": now}}).deleted_count
               for name in EXPIRING)
