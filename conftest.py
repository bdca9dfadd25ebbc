"""Test infrastructure for the whole repository, picked once per test session.

Order (from deploy docs): explicit environment (KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI)
→ testcontainers with real Kafka and MongoDB images when a Docker engine answers → the local
servers of deploy/local (Apache Kafka in KRaft mode, FerretDB) on free loopback ports.
Each test gets its own topic prefix and database, so tests never see each other's data.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "deploy" / "local"))
sys.path.insert(0, str(Path(__file__).parent / "tests" / "support"))

pytest_plugins = ["infra_fixtures", "qbo_fixtures", "gateway_fixtures"]
