"""Finding 11 (configuration): argon2 parameters below OWASP's minimum are refused at start
outside loopback development; the CSRF origins must be origins."""
from __future__ import annotations

import pytest
from auth_fixtures import UNIT_ENV as BASE
from clientsynq.auth.config import Settings
from clientsynq.common.config import ConfigError

PUBLIC = {**BASE, "AUTH_PUBLIC_URL": "https://app.example.com"}


@pytest.mark.parametrize(("memory", "time"), [("1024", "1"), ("19455", "2"), ("47103", "1"),
                                              ("7167", "5")])
def test_weak_argon2_parameters_are_refused_in_a_real_deployment(memory, time):
    with pytest.raises(ConfigError, match="ARGON2_MEMORY_KIB"):
        Settings.from_env({**PUBLIC, "AUTH_ARGON2_MEMORY_KIB": memory,
                           "AUTH_ARGON2_TIME_COST": time})


@pytest.mark.parametrize(("memory", "time"), [("19456", "2"), ("47104", "1"), ("65536", "3")])
def test_owasp_strength_is_accepted(memory, time):
    settings = Settings.from_env({**PUBLIC, "AUTH_ARGON2_MEMORY_KIB": memory,
                                  "AUTH_ARGON2_TIME_COST": time})
    assert settings.login.argon2_memory_kib == int(memory)


def test_loopback_development_may_use_cheap_hashes():
    settings = Settings.from_env({**BASE, "AUTH_ARGON2_MEMORY_KIB": "1024",
                                  "AUTH_ARGON2_TIME_COST": "1"})
    assert settings.login.argon2_time_cost == 1


def test_sign_up_without_confirmation_is_refused_in_a_real_deployment():
    """Finding 7: one-step sign-up exists for loopback development only."""
    with pytest.raises(ConfigError, match="SIGNUP_CONFIRMATION"):
        Settings.from_env({**PUBLIC, "AUTH_SIGNUP_CONFIRMATION": "false"})
    assert Settings.from_env(PUBLIC).signup_confirmation
    assert not Settings.from_env({**BASE, "AUTH_SIGNUP_CONFIRMATION": "false"}
                                 ).signup_confirmation


def test_the_internal_api_on_the_public_listener_is_refused_in_a_real_deployment():
    """Finding 10: off loopback, /internal/v1 has a listener of its own, by default and
    by force; the single-port stack is for loopback tests and development."""
    with pytest.raises(ConfigError, match="INTERNAL_API_ON_PUBLIC"):
        Settings.from_env({**PUBLIC, "AUTH_INTERNAL_API_ON_PUBLIC": "true"})
    assert not Settings.from_env(PUBLIC).internal_api_on_public
    assert Settings.from_env(BASE).internal_api_on_public


def test_public_origins_default_to_the_public_urls_and_must_be_origins():
    settings = Settings.from_env(PUBLIC)
    assert settings.public_origins == ("https://app.example.com", "http://127.0.0.1:8080")
    with pytest.raises(ConfigError, match="AUTH_PUBLIC_ORIGINS"):
        Settings.from_env({**PUBLIC, "AUTH_PUBLIC_ORIGINS": "app.example.com"})
