"""The bootstrap Jobs' scripts on the real servers: indexes built in each service's own
database, and the topic check passing only when every topic exists."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from devenv import _generated as dev_secrets

SERVICES = Path(__file__).resolve().parents[2] / "services"
pytestmark = pytest.mark.integration


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SERVICES / script), *args], text=True,
                          env={**os.environ, **env}, capture_output=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("service", ["auth", "sync", "webhook"])
def test_index_job_builds_the_service_indexes(
        compose: dict[str, Any], infra: Any, mongo_client: Any, service: str) -> None:
    """With the compose `indexes` container's environment, as the image runs it."""
    database = f"test_{uuid.uuid4().hex[:12]}"
    env = {**compose["services"]["indexes"]["environment"], **dev_secrets(),
           "MONGODB_URI": infra.mongo_uri, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
           "MONGODB_DATABASE": database}
    try:
        done = _run("ensure_indexes.py", service, env=env)
        assert done.returncode == 0, done.stderr
        assert f"{service}: indexes present" in done.stderr
        indexes = [name for collection in mongo_client[database].list_collection_names()
                   for name in mongo_client[database][collection].index_information()
                   if name != "_id_"]
        assert indexes
        assert _run("ensure_indexes.py", service, env=env).returncode == 0  # idempotent
    finally:
        mongo_client.drop_database(database)


def test_index_job_refuses_an_unknown_service() -> None:
    assert _run("ensure_indexes.py", "billing", env={}).returncode == 2


def test_topic_check_passes_only_when_every_topic_exists(kafka_conn: Any, infra: Any) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
           "KAFKA_TOPIC_PREFIX": kafka_conn.topic_prefix}
    assert _run("check_topics.py", env=env).returncode == 0
    missing = _run("check_topics.py", env={**env, "KAFKA_TOPIC_PREFIX": "absent-prefix."})
    assert missing.returncode == 1
    assert "absent-prefix.sync.progress.dlq" in missing.stderr
