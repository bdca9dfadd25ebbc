"""`make demo` (with `make run` running): a business signs up and connects the sandbox's demo
company, as an owner would in the browser, then the first sync's figures are printed.

Until the portal's pages exist this is the quickest way to see the whole flow: sign-up →
Connect to QuickBooks → consent → callback → connection.changed → initial sync.
"""
from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))

from devenv import PORTS, ensure_dev_env
from qbo_sandbox.control import SandboxControl

AUTH = f"http://127.0.0.1:{PORTS['auth']}"
SYNC = f"http://127.0.0.1:{PORTS['sync']}"


def sign_up(session: requests.Session, password: str) -> tuple[str, str]:
    email = f"owner-{uuid.uuid4().hex[:6]}@demo.clientsynq.dev"
    answer = session.post(f"{AUTH}/auth/v1/signup", timeout=30, json={
        "business_name": "Demo Plumbing", "email": email, "password": password})
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return answer.json()["tenant_id"], email


def connect(session: requests.Session, tenant_id: str) -> None:
    started = session.post(f"{AUTH}/auth/v1/tenants/{tenant_id}/qbo/connect", timeout=30)
    started.raise_for_status()
    sandbox = SandboxControl(f"http://127.0.0.1:{PORTS['sandbox']}")
    params = sandbox.authorize(started.json()["authorize_url"], approve=True)  # "Authorize"
    session.get(f"{AUTH}/auth/v1/qbo/callback", params=params, allow_redirects=False,
                timeout=30).raise_for_status()


def wait_for_first_sync(tenant_id: str, secret: str, timeout: float = 120) -> dict:
    headers = {"Authorization": f"Service portal-svc:{secret}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(f"{SYNC}/internal/v1/tenants/{tenant_id}/sync/status",
                              headers=headers, timeout=30).json()
        if (status.get("last_run") or {}).get("status") in ("completed", "failed"):
            return status
        print("  syncing ...", flush=True)
        time.sleep(2)
    raise SystemExit("no sync finished in time: is `make run` running?")


def main() -> int:
    env = ensure_dev_env()
    session = requests.Session()
    tenant_id, email = sign_up(session, env["DEMO_PASSWORD"])
    print(f"signed up {email} (password: DEMO_PASSWORD in .local/dev.env), tenant {tenant_id}")
    connect(session, tenant_id)
    connection = session.get(f"{AUTH}/auth/v1/tenants/{tenant_id}/qbo/connection",
                             timeout=30).json()
    print(f"connected to {connection['company_name']} (realm {connection['realm_id']})")
    run = wait_for_first_sync(tenant_id, env["SERVICE_SECRET_PORTAL"])["last_run"]
    print(f"first sync {run['status']}: {run.get('counts')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
