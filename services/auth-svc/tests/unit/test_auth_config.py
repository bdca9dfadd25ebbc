"""Settings fail at start-up with every problem listed, and secrets are never echoed."""
from __future__ import annotations

import pytest
from auth_fixtures import UNIT_ENV as BASE
from clientsynq.auth.config import Settings
from clientsynq.common.config import ConfigError


def test_a_complete_environment_loads_with_sensible_defaults():
    settings = Settings.from_env(BASE)
    assert settings.qbo.discovery_url == "http://127.0.0.1:8090/.well-known/openid_configuration"
    assert settings.qbo_redirect_uri == "http://127.0.0.1:8081/auth/v1/qbo/callback"
    assert settings.sessions.cookie_secure is False  # http://127.0.0.1 development default
    assert settings.login.max_failures == 5 and settings.login.lock_seconds == 900
    assert settings.service_secrets == {"sync-svc": "s" * 32}
    assert "very-secret-value" not in repr(settings)


def test_every_missing_variable_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092"})
    text = str(caught.value)
    for name in ("MONGODB_URI", "TOKEN_ENCRYPTION_KEYS", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET",
                 "QBO_BASE_URL", "SERVICE_SECRET_SYNC"):
        assert name in text


def test_insecure_cookies_are_refused_outside_loopback():
    with pytest.raises(ConfigError, match="AUTH_COOKIE_SECURE"):
        Settings.from_env({**BASE, "AUTH_PUBLIC_URL": "https://auth.example.com",
                           "AUTH_COOKIE_SECURE": "false"})
    assert Settings.from_env({**BASE, "AUTH_PUBLIC_URL": "https://auth.example.com"}
                             ).sessions.cookie_secure


def test_a_broken_key_ring_is_reported_without_its_material():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**BASE, "TOKEN_ENCRYPTION_KEYS": "k1:c2hvcnQ=",
                           "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1"})
    assert "TOKEN_ENCRYPTION_KEYS" in str(caught.value) and "c2hvcnQ" not in str(caught.value)


def test_short_service_secrets_are_refused():
    with pytest.raises(ConfigError, match="SERVICE_SECRET_PORTAL"):
        Settings.from_env({**BASE, "SERVICE_SECRET_PORTAL": "short"})


def test_a_previous_service_secret_is_read_for_a_rotation_and_checked_like_the_new_one():
    settings = Settings.from_env({**BASE, "SERVICE_SECRET_SYNC_PREVIOUS": "o" * 32})
    assert settings.previous_service_secrets == {"sync-svc": "o" * 32}
    assert "o" * 32 not in repr(settings)
    with pytest.raises(ConfigError, match="SERVICE_SECRET_SYNC_PREVIOUS"):
        Settings.from_env({**BASE, "SERVICE_SECRET_SYNC_PREVIOUS": "short"})
