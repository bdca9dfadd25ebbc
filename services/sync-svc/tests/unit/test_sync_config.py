"""sync-svc's service credentials: its own towards auth-svc, and portal-svc's towards it
(`SERVICE_SECRET_PORTAL_SYNC`), one secret per caller→callee pair (issue 12, finding 10)."""
from __future__ import annotations

import pytest
from clientsynq.common.config import ConfigError
from clientsynq.sync.config import Settings

BASE = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "MONGODB_URI": "mongodb://127.0.0.1/",
        "SERVICE_SECRET_SYNC": "s" * 24, "SERVICE_SECRET_PORTAL_SYNC": "p" * 24}


def test_portal_svc_is_checked_with_the_secret_of_the_portal_to_sync_pair() -> None:
    settings = Settings.from_env({**BASE, "SERVICE_SECRET_PORTAL": "a" * 24})
    assert settings.portal_secret == "p" * 24  # never portal's secret for auth-svc
    assert settings.portal_previous_secret is None
    assert "p" * 24 not in repr(settings)


def test_without_the_pair_secret_sync_svc_does_not_start_even_with_portals_auth_secret() -> None:
    env = {k: v for k, v in BASE.items() if k != "SERVICE_SECRET_PORTAL_SYNC"}
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({**env, "SERVICE_SECRET_PORTAL": "a" * 24})
    assert refused.value.problems == ("SERVICE_SECRET_PORTAL_SYNC: required but not set",)


def test_a_previous_pair_secret_is_read_for_a_rotation_and_checked_like_the_new_one() -> None:
    settings = Settings.from_env({**BASE, "SERVICE_SECRET_PORTAL_SYNC_PREVIOUS": "o" * 24})
    assert settings.portal_previous_secret == "o" * 24
    for name in ("SERVICE_SECRET_PORTAL_SYNC", "SERVICE_SECRET_PORTAL_SYNC_PREVIOUS"):
        with pytest.raises(ConfigError, match=f"{name}: must be at least 16") as refused:
            Settings.from_env({**BASE, name: "short-secret"})
        assert "short-secret" not in str(refused.value)
