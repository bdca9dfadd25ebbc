"""A Kafka broker and a MongoDB-wire server (FerretDB) owned by the infrastructure drills,
started the way the root conftest and `make infra-up` start theirs (`localinfra.servers`),
on free loopback ports with data directories under the test's tmp directory.

The drills stop and start these servers; the shared pair (`make infra-up`, 9092/27017) and
the session's pair are never touched. Each server restarts on the same ports and data
directory, so the services' clients reconnect to the same broker and database they lost.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from localinfra import servers


@dataclass
class PrivateInfra:
    """Quacks like the session's `Infra` (kafka_bootstrap, mongo_uri) for `running_stack`."""

    home: Path
    kafka_port: int
    controller_port: int
    mongo_port: int
    kafka_pid: int = 0
    mongo_pid: int = 0

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    def start_kafka(self) -> None:
        """Start (or start again: same ports, same data) and wait until it answers metadata."""
        self.kafka_pid = servers.start_kafka(self.home / "kafka", self.kafka_port,
                                             self.controller_port).pid

    def stop_kafka(self) -> None:
        """SIGTERM the broker and wait until it is gone (SIGKILL after 20 s)."""
        servers.stop(self.kafka_pid)

    def start_mongo(self) -> None:
        self.mongo_pid = servers.start_ferretdb(self.home / "mongodb", self.mongo_port).pid

    def stop_mongo(self) -> None:
        servers.stop(self.mongo_pid)

    def stop(self) -> None:
        for pid in (self.kafka_pid, self.mongo_pid):
            if pid and servers.is_alive(pid):
                servers.stop(pid)


@contextmanager
def private_infra(home: Path) -> Iterator[PrivateInfra]:
    """Both servers up; both down (whatever state a drill left them in) afterwards."""
    infra = PrivateInfra(home, servers.free_port(), servers.free_port(), servers.free_port())
    try:
        infra.start_kafka()
        infra.start_mongo()
        yield infra
    finally:
        infra.stop()
