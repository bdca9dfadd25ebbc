"""A demo business already connected to the sandbox's demo company, for `make run`.

`make run` runs this once everything answers (and `make demo` runs it by hand): the demo
owner signs in (signing up the first time), is put on the Pro plan, and connects the
sandbox's demo company through the real OAuth flow (consent approved as a user would) if it
is not connected yet. It then prints where to log in. Running it again changes nothing:
the login, the business and the connection are kept in FerretDB and the sandbox's data file
between runs, so a newcomer's second `make run` shows the same filled portal.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))

from devenv import GATEWAY_URL, PORTS, ensure_dev_env
from qbo_sandbox.control import SandboxControl

AUTH = f"http://127.0.0.1:{PORTS['auth']}"
OPERATOR = f"http://127.0.0.1:{PORTS['auth_internal']}"  # auth-svc's internal listener
DEMO_EMAIL = "owner@demo.clientsynq.dev"
DEMO_BUSINESS = "Demo Plumbing"


def signed_in(password: str) -> tuple[requests.Session, str]:
    """Log in as the demo owner, signing up the first time (no Origin: tokens in the body)."""
    session = requests.Session()
    answer = session.post(f"{AUTH}/auth/v1/login", timeout=30,
                          json={"email": DEMO_EMAIL, "password": password})
    if answer.status_code == 401:
        signed = session.post(f"{AUTH}/auth/v1/signup", timeout=30, json={
            "business_name": DEMO_BUSINESS, "email": DEMO_EMAIL, "password": password})
        answer = session.post(f"{AUTH}/auth/v1/login", timeout=30,
                              json={"email": DEMO_EMAIL, "password": password})
        if answer.status_code == 401 and signed.status_code == 202:
            confirm_sign_up()  # confirmed by email, as a person would
            answer = session.post(f"{AUTH}/auth/v1/login", timeout=30,
                                  json={"email": DEMO_EMAIL, "password": password})
    if answer.status_code != 200:
        raise SystemExit(f"demo login failed ({answer.status_code}): {answer.text[:300]}")
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session, str(answer.json()["tenant_id"])


def confirm_sign_up(timeout: float = 30) -> None:
    """Press the button behind the emailed link (read from the mail catcher)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = requests.get(f"http://127.0.0.1:{PORTS['mail']}/messages",
                             params={"to": DEMO_EMAIL}, timeout=10).json()
        found = [re.search(r"/signup/confirm\?token=([A-Za-z0-9._-]+)", m["body"])
                 for m in mails]
        tokens = [match.group(1) for match in found if match]
        if tokens:
            requests.post(f"{AUTH}/auth/v1/signup/confirm", data={"token": tokens[-1]},
                          allow_redirects=False, timeout=30).raise_for_status()
            return
        time.sleep(0.5)
    raise SystemExit("the demo sign-up's confirmation mail did not arrive")


def ensure_pro(tenant_id: str, operator_secret: str) -> None:
    """Pro, so the demo shows write-back (Pay, create invoice) as well as reading."""
    requests.put(f"{OPERATOR}/auth/v1/operator/tenants/{tenant_id}/plan", json={"plan": "pro"},
                 headers={"Authorization": f"Service operator:{operator_secret}"},
                 timeout=30).raise_for_status()


def ensure_connected(session: requests.Session, tenant_id: str) -> str:
    url = f"{AUTH}/auth/v1/tenants/{tenant_id}/qbo"
    connection = session.get(f"{url}/connection", timeout=30).json()
    if connection.get("status") != "connected":
        started = session.post(f"{url}/connect", timeout=30)
        started.raise_for_status()
        sandbox = SandboxControl(f"http://127.0.0.1:{PORTS['sandbox']}")
        params = sandbox.authorize(started.json()["authorize_url"], approve=True)  # "Authorize"
        session.get(f"{AUTH}/auth/v1/qbo/callback", params=params, allow_redirects=False,
                    timeout=30).raise_for_status()
        connection = session.get(f"{url}/connection", timeout=30).json()
    return str(connection.get("company_name") or "the sandbox's demo company")


def wait_for_portal(timeout: float = 60) -> bool:
    """Until the gateway serves the log-in page (bounded; `make run` goes on regardless)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{GATEWAY_URL}/login", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def main() -> int:
    env = ensure_dev_env()
    session, tenant_id = signed_in(env["DEMO_PASSWORD"])
    ensure_pro(tenant_id, env["AUTH_OPERATOR_SECRET"])
    company = ensure_connected(session, tenant_id)
    wait_for_portal()
    print("\n".join([
        "", "Demo business (Pro plan), connected to the sandbox's demo company:",
        f"  log in   {GATEWAY_URL}/login",
        f"  email    {DEMO_EMAIL}",
        f"  password {env['DEMO_PASSWORD']}  (DEMO_PASSWORD in .local/dev.env)",
        f"  company  {company}: customers and invoices appear as the first sync lands",
        f"  mail     http://127.0.0.1:{PORTS['mail']}/  (invite a customer, open its link here)",
        ""]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
