"""Finding 4: with LOG_LEVEL=DEBUG, connecting and refreshing write no QuickBooks token, no
authorization code and no client secret into any log line (requests-oauthlib logs whole
token responses at DEBUG)."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from clientsynq.auth.domain.records import StoredConnection
from clientsynq.auth.services.qbo_events import open_token
from clientsynq.common.logging import configure_logging

pytestmark = pytest.mark.integration


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_levels = {name: logging.getLogger(name).level
                    for name in ("requests_oauthlib", "oauthlib", "urllib3", "kafka")}
    stream = io.StringIO()
    configure_logging("auth", "DEBUG", stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


def _tokens(auth, tenant_id: str) -> list[str]:
    stored: StoredConnection | None = auth.deps.stores.connections.get(tenant_id)
    assert stored is not None
    return [open_token(auth.deps, stored, "access"), open_token(auth.deps, stored, "refresh")]


def test_connect_and_refresh_at_debug_log_no_token(auth, debug_log):
    owner = auth.sign_up()
    realm_id = auth.company()
    params = auth.authorize(owner, realm_id)
    assert auth.callback(owner, params).status_code == 302
    secrets = [params["code"], auth.env["QBO_CLIENT_SECRET"], *_tokens(auth, owner.tenant_id)]
    rejected = secrets[2]
    refreshed = auth.internal("POST", f"/internal/v1/tenants/{owner.tenant_id}/qbo/access-token"
                              "/refresh", json={"rejected_access_token": rejected})
    assert refreshed.status_code == 200, refreshed.json
    secrets += _tokens(auth, owner.tenant_id)
    assert auth.refreshes(realm_id) == 1

    text = debug_log.getvalue()

    assert text.count("\n") > 5  # DEBUG really was on
    for secret in secrets:
        assert secret not in text
