"""portal-svc's service credentials: one towards auth-svc (`SERVICE_SECRET_PORTAL`) and
another towards sync-svc (`SERVICE_SECRET_PORTAL_SYNC`), since sync-svc holds the one it
checks and must not be able to speak as portal-svc at auth-svc (issue 12, finding 10)."""
from __future__ import annotations

import pytest
from clientsynq.common.config import ConfigError
from clientsynq.common.problems import ServiceUnavailable
from clientsynq.portal.adapters.sync_controls_client import SyncControlsClient
from clientsynq.portal.config import Settings

BASE = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "MONGODB_URI": "mongodb://127.0.0.1/",
        "SERVICE_SECRET_PORTAL": "a" * 24}


def test_sync_svc_is_called_with_the_secret_of_the_portal_to_sync_pair() -> None:
    settings = Settings.from_env({**BASE, "SERVICE_SECRET_PORTAL_SYNC": "p" * 24})
    assert (settings.api.service_secret, settings.sync_secret) == ("a" * 24, "p" * 24)
    assert "p" * 24 not in repr(settings)


def test_without_the_pair_secret_the_sync_controls_name_it() -> None:
    settings = Settings.from_env(BASE)
    assert settings.sync_secret == ""
    with pytest.raises(ServiceUnavailable, match="SERVICE_SECRET_PORTAL_SYNC unset"):
        SyncControlsClient(settings.sync_url, settings.sync_secret).settings("t1")


@pytest.mark.parametrize(("value", "why"), [
    ("short-secret", "must be at least 16 characters"),
    ("a" * 24, "must differ from SERVICE_SECRET_PORTAL")])
def test_a_weak_or_copied_pair_secret_is_refused_at_start(value: str, why: str) -> None:
    with pytest.raises(ConfigError, match=f"SERVICE_SECRET_PORTAL_SYNC: {why}") as refused:
        Settings.from_env({**BASE, "SERVICE_SECRET_PORTAL_SYNC": value})
    assert value not in str(refused.value)
