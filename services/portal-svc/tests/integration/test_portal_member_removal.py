"""Issue 12, finding 3: removing a member ends their access to portal-svc's API within
seconds (portal's verifier polls auth-svc's ended sessions), not at the access token's
expiry 15 minutes later; the owner's access goes on. Real auth-svc (with a mail sink for the
invitation), real portal app over HTTP; no QuickBooks connection or sync is needed, so this
costs a few seconds, not the end-to-end stack. The logout case:
test_portal_end_to_end.py::test_a_logged_out_access_token_is_refused_within_seconds."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from auth_fixtures import AuthService
from clientsynq.portal.app import create_app
from clientsynq.portal.bootstrap import build
from clientsynq.portal.config import Settings
from portal_harness import portal_env, wait_until
from qbo_fixtures import admin_joins, log_in, sign_up_owner
from threads import ServedApp

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
def portal_url(infra, kafka_conn, mongo_db, auth_with_mail) -> Iterator[str]:
    auth, _ = auth_with_mail
    env = portal_env(infra, kafka_conn.topic_prefix, mongo_db.name,
                     PORTAL_AUTH_URL=auth.base_url, SERVICE_SECRET_PORTAL=auth.portal_secret)
    with ServedApp(create_app(build(Settings.from_env(env))), name="portal-http") as portal:
        yield portal.base_url


def _sign_up_pro(auth: AuthService) -> tuple[str, dict[str, str]]:
    email, owner = sign_up_owner(auth.base_url, "Acme Removal")
    tenant_id = owner["tenant_id"]
    auth.set_plan(tenant_id, "pro")  # teams are Pro; the plan is read from the database
    return tenant_id, {"Authorization": f"Bearer {log_in(auth.base_url, email)['access_token']}"}


def test_a_removed_members_access_token_is_refused_within_seconds(auth_with_mail, portal_url):
    auth, sink = auth_with_mail
    tenant_id, owner = _sign_up_pro(auth)
    admin = admin_joins(auth, sink, tenant_id, owner)
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
