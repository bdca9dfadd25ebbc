"""Test infrastructure for the whole repository, picked once per test session.

Order (from deploy docs): explicit environment (KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI)
→ testcontainers with real Kafka and MongoDB images when a Docker engine answers → the local
servers of deploy/local (Apache Kafka in KRaft mode, FerretDB) on free loopback ports.
Each test gets its own topic prefix and database, so tests never see each other's data.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["infra_fixtures", "auth_fixtures", "qbo_fixtures", "gateway_fixtures"]

# Every worker a test starts inherits this: a SIGKILLed consumer's partitions pass to the next
# member after 10 s (Kafka's classic default) instead of kafka-python's 45 s.
TEST_SESSION_TIMEOUT_MS = "10000"
os.environ.setdefault("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", TEST_SESSION_TIMEOUT_MS)


def _tests_root(path: Path) -> Path | None:
    """The `tests` directory a test file belongs to (its service's helper modules live there)."""
    for parent in path.parents:
        if parent.name == "tests":
            return parent
    return None


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Each service keeps its helpers in `tests/fakes.py` (and the like) under one name.

    One pytest session runs every service's tests, and pyproject's `pythonpath` puts every
    `tests` directory on the path, so a bare `import fakes` would reuse whichever service's
    module was found or imported first. Just before a test module is imported, forget a
    same-named helper module cached from another service's `tests` directory and move this
    service's directory to the front of the path. (The one path change left in a conftest:
    an order, not an addition.)
    """
    if not isinstance(collector, pytest.Module):
        return
    root = _tests_root(Path(collector.path))
    if root is None:
        return
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin is None or "." in name:
            continue
        home = _tests_root(Path(origin))
        if home is not None and home != root and (root / f"{name}.py").exists():
            del sys.modules[name]
    if str(root) in sys.path:
        sys.path.remove(str(root))
    sys.path.insert(0, str(root))
