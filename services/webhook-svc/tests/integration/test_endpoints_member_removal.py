"""Issue 12, finding 3: removing a member ends their access to webhook-svc within seconds
(its verifier polls auth-svc's ended sessions), not at the access token's expiry 15 minutes
later; the owner's access goes on. Real auth-svc (with a mail sink for the invitation),
real webhook-svc app over HTTP. The logout case: test_endpoints_ended_sessions.py."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from mail_sink.testing import running_mail_sink, wait_for_message
from qbo_fixtures import AuthService, start_auth_service
from waiting import wait_until
from webhook_harness import WebService, enterprise_business, webhook_env

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


def test_a_removed_members_access_token_is_refused_within_seconds(
        infra, kafka_conn, mongo_db, auth_with_mail):
    auth, sink = auth_with_mail
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth.base_url,
                      SERVICE_SECRET_WEBHOOK=auth.webhook_secret)
    tenant_id, owner = enterprise_business(auth)
    admin = _admin_joins(auth, sink, tenant_id, owner)
    with WebService(env) as web:
        def status(headers: dict[str, str]) -> int:
            return requests.get(f"{web.base_url}/webhooks/v1/tenants/{tenant_id}/endpoints",
                                headers=headers, timeout=30).status_code

        removed = {"Authorization": f"Bearer {admin['access_token']}"}
        assert status(removed) == 200
        assert requests.delete(
            f"{auth.base_url}/auth/v1/tenants/{tenant_id}/members/{admin['subject']}",
            headers=owner, timeout=30).status_code == 204
        wait_until(lambda: status(removed) == 401, 15,
                   "webhook-svc refusing the removed member's access token")
        assert status(owner) == 200  # the owner's access goes on
