"""Test infrastructure for the whole repository, picked once per test session.

Order (from deploy docs): explicit environment (KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI)
→ testcontainers with real Kafka and MongoDB images when a Docker engine answers → the local
servers of deploy/local (Apache Kafka in KRaft mode, FerretDB) on free loopback ports.
Each test gets its own topic prefix and database, so tests never see each other's data.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["infra_fixtures", "auth_fixtures", "qbo_fixtures", "gateway_fixtures"]

# Every worker a test starts inherits this: a SIGKILLed consumer's partitions pass to the next
# member after 10 s (Kafka's classic default) instead of kafka-python's 45 s.
TEST_SESSION_TIMEOUT_MS = "10000"
os.environ.setdefault("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", TEST_SESSION_TIMEOUT_MS)


def pytest_configure(config: pytest.Config) -> None:
    """Helper modules are imported by name from the directories of pyproject's `pythonpath`
    (no conftest edits `sys.path`), so two with one name would hand a test another
    service's module: refuse to start instead. Name a service's helpers after it
    (`sync_fakes.py`, `sync_harness.py`)."""
    seen: dict[str, Path] = {}
    for directory in config.getini("pythonpath"):
        for path in sorted(Path(directory).glob("*.py")):
            if path.name == "conftest.py":
                continue
            if path.stem in seen:
                raise pytest.UsageError(f"two test helper modules named {path.stem!r}: "
                                        f"{seen[path.stem]} and {path}")
            seen[path.stem] = path
