"""Kafka authentication settings: plaintext by default, SCRAM over TLS when configured."""
from __future__ import annotations

import pytest
from clientsynq.common.config import ConfigError, EnvReader, KafkaSettings
from clientsynq.common.kafka import KafkaConnection

BASE = {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9093"}


def _settings(env: dict[str, str]) -> KafkaSettings:
    reader = EnvReader(env)
    settings = KafkaSettings.from_reader(reader)
    reader.raise_if_invalid()
    return settings


def test_plaintext_by_default_adds_no_client_options() -> None:
    assert _settings(BASE).security.client_options() == {}


def test_scram_over_tls() -> None:
    settings = _settings({**BASE, "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
                          "KAFKA_SASL_USERNAME": "sync-svc", "KAFKA_SASL_PASSWORD": "pw-123",
                          "KAFKA_SSL_CAFILE": "/var/run/secrets/kafka-ca/ca.crt"})
    assert settings.security.client_options() == {
        "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "sync-svc", "sasl_plain_password": "pw-123",
        "ssl_cafile": "/var/run/secrets/kafka-ca/ca.crt"}
    assert "pw-123" not in repr(settings)


def test_sasl_without_credentials_is_refused_naming_both() -> None:
    with pytest.raises(ConfigError) as caught:
        _settings({**BASE, "KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"]


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(ConfigError, match="KAFKA_SECURITY_PROTOCOL"):
        _settings({**BASE, "KAFKA_SECURITY_PROTOCOL": "KERBEROS"})


def test_the_connection_hands_the_options_to_clients_and_hides_them() -> None:
    conn = KafkaConnection("kafka:9093", security=(("security_protocol", "SASL_SSL"),
                                                   ("sasl_plain_password", "pw-123")))
    assert conn.client_options == {"security_protocol": "SASL_SSL",
                                   "sasl_plain_password": "pw-123"}
    assert "pw-123" not in repr(conn)


def test_every_reading_consumer_gets_the_security_options_and_full_fetches() -> None:
    """Incremental fetch sessions are off for every consumer that reads records: with them,
    kafka-python 3.0.12 sometimes stopped fetching while records waited (see fetch_options)."""
    conn = KafkaConnection("kafka:9093", security=(("security_protocol", "SASL_SSL"),))
    for options in (conn.fetch_options, conn.consumer_options):
        assert options["security_protocol"] == "SASL_SSL"
        assert options["enable_incremental_fetch_sessions"] is False
