"""The settings of a whole system on loopback behind one gateway, for the stacks that run
every service as production does (`tests/e2e/stack.py`, portal's `browser/browser_stack.py`).

One dict serves every process (each reads only its own prefix). auth-svc's part comes from
`auth_fixtures.auth_settings`, the one place its test settings are built; each stack adds
its own tuning (retries, schedules) on top.
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from auth_fixtures import auth_settings


def system_env(infra: Any, *, prefix: str, gateway_url: str, auth_url: str, sandbox_url: str,
               client_id: str, client_secret: str, keys_dir: Path, smtp_port: int | None = None,
               verifier: str | None = None) -> dict[str, str]:
    """`auth_url`: auth-svc's own address, which the other services call; browsers and
    QuickBooks' redirects use `gateway_url`. `verifier`: the Intuit webhook verifier token
    registered at the sandbox (a fresh one when the stack registers none)."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "KAFKA_TOPIC_PREFIX": prefix,
        "MONGODB_URI": infra.mongo_uri, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
        **auth_settings(public_url=gateway_url, sandbox_url=sandbox_url, client_id=client_id,
                        client_secret=client_secret, smtp_port=smtp_port, keys_dir=keys_dir),
        "PORTAL_PUBLIC_URL": gateway_url, "AUTH_TRUSTED_PROXY_HOPS": "1",
        "SERVICE_SECRET_PORTAL_SYNC": secrets.token_urlsafe(24),  # portal→sync, not auth's
        "QBO_WEBHOOK_VERIFIER_TOKEN": verifier or secrets.token_urlsafe(24),
        "PORTAL_AUTH_URL": auth_url, "SYNC_AUTH_URL": auth_url, "WEBHOOK_AUTH_URL": auth_url,
        "SYNC_QBO_BASE_URL": sandbox_url, "SYNC_PROGRESS_INTERVAL": "0.2s",
        "AUTH_WORKER_METRICS_PORT": "0", "PORTAL_METRICS_PORT": "0", "SYNC_METRICS_PORT": "0",
        "WEBHOOK_METRICS_PORT": "0",
    }
