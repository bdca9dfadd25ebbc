"""Two auth-svc processes (gunicorn, sharing the database) answering twenty concurrent token
requests refresh the realm exactly once at the sandbox: QBO rotates refresh tokens, and a
second concurrent refresh would break the connection."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
import requests

pytestmark = pytest.mark.integration


def test_twenty_concurrent_requests_on_two_processes_refresh_once(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    headers = {"Authorization": f"Service sync-svc:{auth.env['SERVICE_SECRET_SYNC']}"}
    path = f"/internal/v1/tenants/{owner.tenant_id}/qbo/access-token"
    with ExitStack() as stack:
        bases = [stack.enter_context(auth.process()) for _ in range(2)]
        # An hour has passed: the stored access token is due for refresh on both replicas.
        latest = auth.connection_doc(owner.tenant_id)
        auth.versions().update_one(
            {"_id": latest["_id"], "tenant_id": owner.tenant_id},
            {"$set": {"access_expires_at": datetime.now(UTC) - timedelta(seconds=1)}})

        def get(i: int) -> str:
            response = requests.get(bases[i % 2] + path, headers=headers, timeout=30)
            assert response.status_code == 200, response.text
            return str(response.json()["access_token"])
        with ThreadPoolExecutor(max_workers=20) as pool:
            tokens = list(pool.map(get, range(20)))
        assert len(set(tokens)) == 1
        assert auth.refreshes(realm_id) == 1

        def report(i: int) -> str:
            response = requests.post(bases[i % 2] + path + "/refresh", headers=headers,
                                     json={"rejected_access_token": tokens[0]}, timeout=30)
            assert response.status_code == 200, response.text
            return str(response.json()["access_token"])
        with ThreadPoolExecutor(max_workers=20) as pool:
            after_401 = list(pool.map(report, range(20)))
        assert len(set(after_401)) == 1 and after_401[0] != tokens[0]
        assert auth.refreshes(realm_id) == 2
    assert auth.access_token(owner.tenant_id).json["access_token"] == after_401[0]
