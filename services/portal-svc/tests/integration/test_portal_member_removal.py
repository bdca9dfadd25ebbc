"""Issue 12, finding 3: removing a member ends their access to portal-svc's API within
seconds (portal's verifier polls auth-svc's ended sessions), not at the access token's
expiry 15 minutes later; the owner's access goes on. Real auth-svc (with a mail sink for the
invitation), real portal app over HTTP; no QuickBooks connection or sync is needed, so this
costs a few seconds, not the end-to-end stack. The logout case:
test_portal_end_to_end.py::test_a_logged_out_access_token_is_refused_within_seconds."""
from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from clientsynq.portal.app import create_app
from clientsynq.portal.bootstrap import build
from clientsynq.portal.config import Settings
from mail_sink.testing import running_mail_sink, wait_for_message
from portal_harness import portal_env, wait_until
from qbo_fixtures import AuthService, free_port, start_auth_service
from werkzeug.serving import make_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
PASSWORD = "correct horse battery"


@pytest.fixture
def auth_with_mail(infra, kafka_conn, mongo_client, qbo_sandbox
                   ) -> Iterator[tuple[AuthService, Any]]:
    database = f"test_auth_{uuid.uuid4().hex[:10]}"
    with running_mail_sink() as sink:
        auth = start_auth_service(kafka_bootstrap=infra.kafka_bootstrap,
                                  topic_prefix=kafka_conn.topic_prefix,
                                  mongo_uri=infra.mongo_uri, database=database,
                                  sandbox=qbo_sandbox,
                                  extra_env={"SMTP_PORT": str(sink.smtp_port)})
        try:
            yield auth, sink
        finally:
            auth.close()
            mongo_client.drop_database(database)


@pytest.fixture
def portal_url(infra, kafka_conn, mongo_db, auth_with_mail) -> Iterator[str]:
    auth, _ = auth_with_mail
    env = portal_env(infra, kafka_conn.topic_prefix, mongo_db.name,
                     PORTAL_AUTH_URL=auth.base_url, SERVICE_SECRET_PORTAL=auth.portal_secret)
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(build(Settings.from_env(env))),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _sign_up_pro(auth: AuthService) -> tuple[str, dict[str, str]]:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    signed = requests.post(f"{auth.base_url}/auth/v1/signup", timeout=30, json={
        "business_name": "Acme Removal", "password": PASSWORD, "email": email})
    assert signed.status_code in (201, 202), signed.text  # 202: sign in next

    def log_in() -> dict[str, str]:
        login = requests.post(f"{auth.base_url}/auth/v1/login", timeout=30,
                              json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return dict(login.json())

    tenant_id = log_in()["tenant_id"]
    auth.set_plan(tenant_id, "pro")  # teams are Pro; the plan is read from the database
    return tenant_id, {"Authorization": f"Bearer {log_in()['access_token']}"}


def _admin_joins(auth: AuthService, sink: Any, tenant_id: str,
                 owner: dict[str, str]) -> dict[str, Any]:
    """Invited by the owner, accepted from the emailed link: the admin's session body."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    invited = requests.post(f"{auth.base_url}/auth/v1/tenants/{tenant_id}/member-invitations",
                            json={"email": email, "role": "admin"}, headers=owner, timeout=30)
    assert invited.status_code == 201, invited.text
    link = re.search(r"/join/([A-Za-z0-9._-]+)", wait_for_message(sink, email)["body"])
    assert link, "no invitation link in the mail"
    accepted = requests.post(f"{auth.base_url}/auth/v1/member-invitations/accept", timeout=30,
                             json={"token": link.group(1), "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    return dict(accepted.json())


def test_a_removed_members_access_token_is_refused_within_seconds(auth_with_mail, portal_url):
    auth, sink = auth_with_mail
    tenant_id, owner = _sign_up_pro(auth)
    admin = _admin_joins(auth, sink, tenant_id, owner)
    removed = {"Authorization": f"Bearer {admin['access_token']}"}

    def status(headers: dict[str, str]) -> int:
        return requests.get(f"{portal_url}/api/v1/customers", headers=headers,
                            timeout=30).status_code

    assert status(removed) == 200
    assert requests.delete(
        f"{auth.base_url}/auth/v1/tenants/{tenant_id}/members/{admin['subject']}",
        headers=owner, timeout=30).status_code == 204
    wait_until(lambda: status(removed) == 401, 15,
               "portal-svc refusing the removed member's access token")
    assert status(owner) == 200  # the owner's access goes on
