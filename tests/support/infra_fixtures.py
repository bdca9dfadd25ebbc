"""pytest fixtures over the chosen infrastructure: isolated topics and databases per test."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from infra_choice import Infra, choose_infra


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: needs real Kafka/MongoDB/sandbox")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    chosen = choose_infra()
    print(f"\n[tests] infrastructure: {chosen.kind} kafka={chosen.kafka_bootstrap} "
          f"mongodb={chosen.mongo_uri}")
    try:
        yield chosen
    finally:
        chosen.stop()


@pytest.fixture
def kafka_conn(infra: Infra) -> Iterator[Any]:
    """A KafkaConnection whose topics (every topic of the architecture) are this test's own.

    The topics are deleted afterwards: a whole session creates tens of thousands of
    partitions otherwise, and a broker with a development-sized heap runs out of memory.
    """
    from clientsynq.common.kafka import KafkaConnection, ensure_topics

    conn = KafkaConnection(infra.kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
                           client_id="clientsynq-test", session_timeout_ms=10_000)
    ensure_topics(conn)
    yield conn
    delete_topics(conn)


def delete_topics(conn: Any) -> None:
    """Remove every topic under the connection's prefix (nothing else on a shared broker)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    admin = KafkaAdminClient(bootstrap_servers=conn.servers, client_id="clientsynq-test-cleanup",
                             **conn.client_options)
    try:
        mine = [name for name in admin.list_topics() if name.startswith(conn.topic_prefix)]
        if mine:
            admin.delete_topics(mine, timeout_ms=30_000)
    except KafkaError as err:  # cleanup must not fail the test it follows
        print(f"[tests] could not delete topics {conn.topic_prefix}*: {err!r}")
    finally:
        admin.close()


@pytest.fixture(scope="session")
def mongo_client(infra: Infra) -> Iterator[Any]:
    from clientsynq.common.mongo import connect_mongo

    client = connect_mongo(infra.mongo_uri, app_name="clientsynq-tests")
    yield client
    client.close()


@pytest.fixture
def mongo_db(mongo_client: Any) -> Iterator[Any]:
    """A database of this test's own, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)
