"""Decide which Kafka and MongoDB the tests use, and start them if we must."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Infra:
    kind: str
    kafka_bootstrap: str
    mongo_uri: str
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()


def choose_infra() -> Infra:
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URI")
    if kafka and mongo:
        return Infra("environment", kafka, mongo)
    if _docker_answers():
        return _containers()
    return _local_servers()


def _docker_answers() -> bool:
    if os.environ.get("CLIENTSYNQ_TEST_NO_DOCKER") or shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def _containers() -> Infra:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    kafka = KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft()
    mongo = MongoDbContainer("mongo:7.0")
    kafka.start()
    mongo.start()
    infra = Infra("testcontainers", kafka.get_bootstrap_server(), mongo.get_connection_url())
    infra._stops += [kafka.stop, mongo.stop]
    return infra


def _local_servers() -> Infra:
    from localinfra import servers

    home = Path(tempfile.mkdtemp(prefix="clientsynq-test-infra-"))
    kafka = servers.start_kafka(home / "kafka", servers.free_port(), servers.free_port())
    try:
        mongo = servers.start_ferretdb(home / "mongodb", servers.free_port())
    except BaseException:
        servers.stop(kafka.pid)
        raise
    infra = Infra("local", kafka.address, mongo.address)
    infra._stops += [lambda: servers.stop(kafka.pid), lambda: servers.stop(mongo.pid),
                     lambda: shutil.rmtree(home, ignore_errors=True)]
    return infra
