from __future__ import annotations

import io

import pytest
from clientsynq.common.config import (
    EXIT_CONFIG_ERROR,
    CommonSettings,
    ConfigError,
    EnvReader,
    KafkaSettings,
    MongoSettings,
    load_or_exit,
)

VALID_SHARED = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka-0:9092, kafka-1:9092",
    "MONGODB_URI": "mongodb://app:s3cr3t-pw@mongo:27017/?replicaSet=rs0",
    "MONGODB_DATABASE": "sync",
}


def problems_of(reader: EnvReader) -> str:
    with pytest.raises(ConfigError) as caught:
        reader.raise_if_invalid()
    return str(caught.value)


def test_valid_environment_gives_typed_values() -> None:
    reader = EnvReader({"SYNC_PAGE_SIZE": "500", "SYNC_DRY_RUN": "yes",
                        "SYNC_QBO_BASE_URL": "https://sandbox-quickbooks.api.intuit.com/",
                        "SYNC_INTERVAL": "5m", "SYNC_MODE": "full", "SYNC_ENTITIES": "a, b,,c",
                        "SYNC_TOKEN": "t"}, prefix="SYNC_")

    assert reader.integer("PAGE_SIZE", min=1, max=1000) == 500
    assert reader.boolean("DRY_RUN", default=False) is True
    assert reader.url("QBO_BASE_URL") == "https://sandbox-quickbooks.api.intuit.com"
    assert reader.duration_seconds("INTERVAL") == 300.0
    assert reader.choice("MODE", ("full", "incremental")) == "full"
    assert reader.csv_list("ENTITIES") == ("a", "b", "c")
    assert reader.required("TOKEN", secret=True) == "t"
    assert reader.optional("MISSING", "fallback") == "fallback"
    reader.raise_if_invalid()


def test_defaults_apply_when_variables_are_unset_or_blank() -> None:
    reader = EnvReader({"X_PORT": "  "}, prefix="X_")

    assert reader.integer("PORT", default=8080) == 8080
    assert reader.boolean("DEBUG", default=False) is False
    assert reader.duration_seconds("TIMEOUT", default=2.5) == 2.5
    assert reader.csv_list("HOSTS", default=["h"]) == ("h",)
    reader.raise_if_invalid()


def test_every_missing_or_invalid_variable_is_named_with_its_prefix() -> None:
    reader = EnvReader({"SYNC_PAGE_SIZE": "lots", "SYNC_DRY_RUN": "maybe",
                        "SYNC_QBO_BASE_URL": "ftp://x", "SYNC_INTERVAL": "soon",
                        "SYNC_MODE": "sideways", "SYNC_WORKERS": "0"}, prefix="SYNC_")
    reader.required("CLIENT_ID")
    reader.integer("PAGE_SIZE")
    reader.boolean("DRY_RUN")
    reader.url("QBO_BASE_URL")
    reader.duration_seconds("INTERVAL")
    reader.choice("MODE", ("full", "incremental"))
    reader.integer("WORKERS", min=1)
    reader.csv_list("HOSTS")

    message = problems_of(reader)

    for name in ("SYNC_CLIENT_ID", "SYNC_PAGE_SIZE", "SYNC_DRY_RUN", "SYNC_QBO_BASE_URL",
                 "SYNC_INTERVAL", "SYNC_MODE", "SYNC_WORKERS", "SYNC_HOSTS"):
        assert name in message
    assert "8 problem(s)" in message


def test_secret_values_are_never_echoed() -> None:
    reader = EnvReader({"A_WEBHOOK_URL": "https://user:hunter2-pass@", "A_KEY": "hunter2-key",
                        "MONGODB_URI": "postgres://u:hunter2-db@h/db"}, prefix="A_")
    reader.url("WEBHOOK_URL")
    reader.url("KEY", secret=True)
    MongoSettings.from_reader(reader, default_database="x")

    message = problems_of(reader)

    assert "hunter2" not in message
    assert "A_WEBHOOK_URL" in message and "A_KEY" in message and "MONGODB_URI" in message


def test_shared_settings_use_unprefixed_names() -> None:
    reader = EnvReader({**VALID_SHARED, "KAFKA_TOPIC_PREFIX": "ci-42.", "LOG_LEVEL": "debug"},
                       prefix="SYNC_")

    settings = CommonSettings.from_reader(reader, service="sync", default_database="ignored")
    reader.raise_if_invalid()

    assert settings.kafka == KafkaSettings("kafka-0:9092,kafka-1:9092", "ci-42.")
    assert settings.kafka.servers == ["kafka-0:9092", "kafka-1:9092"]
    assert settings.mongo.database == "sync"
    assert settings.log_level == "DEBUG"
    assert "s3cr3t" not in repr(settings)


def test_the_consumer_session_timeout_is_read_and_bounded_by_the_brokers_limits() -> None:
    reader = EnvReader({**VALID_SHARED, "KAFKA_CONSUMER_SESSION_TIMEOUT_MS": "10000"})
    assert CommonSettings.from_reader(reader, service="sync").kafka.session_timeout_ms == 10_000
    too_short = EnvReader({**VALID_SHARED, "KAFKA_CONSUMER_SESSION_TIMEOUT_MS": "500"})
    CommonSettings.from_reader(too_short, service="sync")
    assert "KAFKA_CONSUMER_SESSION_TIMEOUT_MS" in problems_of(too_short)


def test_shared_settings_report_their_own_problems() -> None:
    reader = EnvReader({"KAFKA_BOOTSTRAP_SERVERS": "kafka-0", "KAFKA_TOPIC_PREFIX": "a b",
                        "MONGODB_DATABASE": "no/slash"}, prefix="SYNC_")
    CommonSettings.from_reader(reader, service="sync")

    message = problems_of(reader)

    for name in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC_PREFIX", "MONGODB_URI",
                 "MONGODB_DATABASE"):
        assert f"  - {name}:" in message


def test_load_or_exit_prints_one_message_and_exits_with_code_2() -> None:
    def factory() -> CommonSettings:
        reader = EnvReader({"MONGODB_URI": "mongodb://u:pw-never-shown@h"}, prefix="X_")
        settings = CommonSettings.from_reader(reader, service="x", default_database="x")
        reader.raise_if_invalid()
        return settings

    stderr = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        load_or_exit(factory, stream=stderr)

    assert caught.value.code == EXIT_CONFIG_ERROR == 2
    assert "KAFKA_BOOTSTRAP_SERVERS: required but not set" in stderr.getvalue()
    assert "pw-never-shown" not in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()


def test_load_or_exit_returns_the_settings_when_valid() -> None:
    reader = EnvReader(VALID_SHARED)
    settings = load_or_exit(lambda: CommonSettings.from_reader(reader, service="sync"))

    assert settings.service == "sync"


def test_kafka_alone_from_the_environment_for_the_topic_bootstrap_job() -> None:
    """The bootstrap job reads Kafka through config.py like every service (issue 9): a
    local default when unset, the variable when set, every problem named when wrong."""
    assert KafkaSettings.from_env({}, default_servers="127.0.0.1:9092").servers == \
        ["127.0.0.1:9092"]
    settings = KafkaSettings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092",
                                       "KAFKA_TOPIC_PREFIX": "dev."}, default_servers="x:1")
    assert (settings.servers, settings.topic_prefix) == (["k:9092"], "dev.")
    with pytest.raises(ConfigError, match="KAFKA_TOPIC_PREFIX"):
        KafkaSettings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092",
                                "KAFKA_TOPIC_PREFIX": "bad prefix!"})
