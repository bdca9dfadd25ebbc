"""Development secrets, generated on first run into an ignored file (`.local/dev.env`).

No secret lives in the repository: each developer machine makes its own, once, and keeps
them across runs so data encrypted yesterday still decrypts today.
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEV_ENV = REPO / ".local" / "dev.env"

PORTS = {"portal": 8080, "auth": 8081, "sync": 8082, "webhook": 8083, "auth_internal": 8084,
         "sandbox": 8090,
         "mail": 8025, "gateway": 8000}
GATEWAY_URL = f"http://127.0.0.1:{PORTS['gateway']}"  # the one origin browsers and Intuit use
SMTP_PORT = 1025


def _generated() -> dict[str, str]:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return {
        "TOKEN_ENCRYPTION_KEYS": f"dev1:{key}",
        "TOKEN_ENCRYPTION_ACTIVE_KEY": "dev1",
        "SERVICE_SECRET_SYNC": secrets.token_urlsafe(32),
        "SERVICE_SECRET_PORTAL": secrets.token_urlsafe(32),  # portal→auth
        # portal→sync: its own pair secret, so sync-svc cannot call auth-svc as portal-svc
        "SERVICE_SECRET_PORTAL_SYNC": secrets.token_urlsafe(32),
        "SERVICE_SECRET_WEBHOOK": secrets.token_urlsafe(32),
        "QBO_CLIENT_ID": f"dev-{secrets.token_hex(8)}",
        "QBO_CLIENT_SECRET": secrets.token_urlsafe(32),
        "QBO_WEBHOOK_VERIFIER_TOKEN": secrets.token_urlsafe(24),
        "AUTH_OPERATOR_SECRET": secrets.token_urlsafe(32),
        "DEMO_PASSWORD": secrets.token_urlsafe(12),
    }


def _fixed() -> dict[str, str]:
    """Addresses, not secrets: recomputed every run so a changed port takes effect."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
        "MONGODB_URI": "mongodb://127.0.0.1:27017/",
        **{f"{name.upper()}_PORT": str(port) for name, port in PORTS.items()},
        "QBO_BASE_URL": f"http://127.0.0.1:{PORTS['sandbox']}",
        # Through the gateway: the OAuth redirect URI is the gateway's, and the services
        # trust exactly that one proxy hop for the client's address and scheme.
        "AUTH_PUBLIC_URL": GATEWAY_URL,
        "PORTAL_PUBLIC_URL": GATEWAY_URL,
        "AUTH_TRUSTED_PROXY_HOPS": "1",
        "PORTAL_TRUSTED_PROXY_HOPS": "1",
        # auth-svc's internal listener (/internal/v1, operator API, JWKS): the public one,
        # behind the gateway, answers 404 there, as in every deployment.
        "AUTH_INTERNAL_API_ON_PUBLIC": "false",
        # People sign up here: confirmed by email (the link is in the mail catcher), so a
        # new and a known email get the same 202. One-step sign-up is for test stacks.
        "AUTH_SIGNUP_CONFIRMATION": "true",
        **{f"{svc}_AUTH_URL": f"http://127.0.0.1:{PORTS['auth_internal']}"
           for svc in ("SYNC", "PORTAL", "WEBHOOK")},
        "PORTAL_WEBHOOK_URL": f"http://127.0.0.1:{PORTS['webhook']}",  # Settings → Webhooks
        "PORTAL_SYNC_URL": f"http://127.0.0.1:{PORTS['sync']}",  # Settings → Sync controls
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
        "AUTH_SIGNING_KEYS_DIR": str(REPO / ".local" / "auth" / "signing-keys"),
    }


def _write_private(path: Path, text: str) -> None:
    """Owner-only from the moment the file exists (created 0600, not chmod-ed afterwards:
    another local user could open it in between and keep reading)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_TRUNC: fix it too
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def ensure_dev_env() -> dict[str, str]:
    """Read the generated secrets (making them the first time) plus the fixed addresses."""
    values: dict[str, str] = {}
    if DEV_ENV.exists():
        for line in DEV_ENV.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                name, value = line.split("=", 1)
                values[name] = value
    missing = {k: v for k, v in _generated().items() if k not in values}
    if missing or not DEV_ENV.exists():
        values.update(missing)
        DEV_ENV.parent.mkdir(parents=True, exist_ok=True)
        _write_private(DEV_ENV, "# Generated development secrets; never commit.\n"
                       + "".join(f"{k}={v}\n" for k, v in values.items()))
    return {**values, **_fixed()}


if __name__ == "__main__":
    ensure_dev_env()
    print(f"development environment in {DEV_ENV}")
