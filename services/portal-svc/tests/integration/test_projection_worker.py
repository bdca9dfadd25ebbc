"""The projection worker on real Kafka and the MongoDB-wire server: events in, read models
out, a redelivered or out-of-order event changing nothing, bad events dead-lettered."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from clientsynq.common.kafka import EventProducer
from clientsynq.common.testing import a_connection_event, a_customer_event, an_invoice_event
from clientsynq.portal.adapters.kafka_lag import KafkaGroupLag
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import mongo_read_models
from clientsynq.portal.projections.handlers import TOPICS, record_lag
from clientsynq.portal.services import queries
from kafka import KafkaConsumer
from portal_harness import ThreadWorker, portal_env, wait_until

pytestmark = pytest.mark.integration
TENANT = "tenant-1"
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def database(mongo_client):
    name = f"test_portal_{uuid.uuid4().hex[:10]}"
    yield name
    mongo_client.drop_database(name)


def test_events_reach_the_read_models_once_and_newest_first(infra, kafka_conn, mongo_client,
                                                            database):
    read = mongo_read_models(MongoReadStore(mongo_client, database), lambda: T0)
    newer = an_invoice_event(id="130", updated_at=T0 + timedelta(minutes=1), sync_token="2",
                             balance="100.00")
    older = an_invoice_event(id="130", updated_at=T0, sync_token="1")
    producer = EventProducer(kafka_conn)
    try:
        producer.publish_many([a_customer_event(id="3"), newer, older, newer,
                               a_connection_event()])
        lag = KafkaGroupLag(kafka_conn, "portal-projections", TOPICS)
        assert record_lag(lag.per_topic())["invoices"] == 3  # nothing applied yet
        with ThreadWorker(portal_env(infra, kafka_conn.topic_prefix, database)):
            # Commit follows handling: once the group's offsets reach the end of every
            # topic, every event was applied (topics are consumed side by side, so the
            # connection's arrival alone says nothing of the invoices').
            wait_until(lambda: sum(record_lag(lag.per_topic()).values()) == 0, 60,
                       "the group's committed offsets to reach the end")
            lag.close()
            assert queries.get_connection(read, TENANT).status == "connected"
            invoice = read.invoices.get(TENANT, "130")
            assert invoice is not None and invoice.balance == Decimal("100.00")
            assert queries.get_customer(read, TENANT, "3").balance == Decimal("100.00")
            producer.send_raw("invoice.updated", b'{"not": "an event"}', TENANT.encode(), [])
            dlq = KafkaConsumer(kafka_conn.topic("invoice.updated.dlq"),
                                bootstrap_servers=kafka_conn.servers,
                                auto_offset_reset="earliest", group_id=None,
                                **kafka_conn.fetch_options)
            got: list[object] = []

            def dead_lettered() -> bool:
                for records in dlq.poll(timeout_ms=200).values():
                    got.extend(records)
                return bool(got)
            wait_until(dead_lettered, 60, "the bad event dead-lettered")
            dlq.close()
    finally:
        producer.close()


def test_the_worker_process_projects_and_stops_cleanly_on_sigterm(infra, kafka_conn,
                                                                  mongo_client, database):
    """`python -m clientsynq.portal.worker` as a container runs it."""
    import os
    import signal
    import subprocess
    import sys

    read = mongo_read_models(MongoReadStore(mongo_client, database), lambda: T0)
    env = {**os.environ, **portal_env(infra, kafka_conn.topic_prefix, database)}
    process = subprocess.Popen([sys.executable, "-m", "clientsynq.portal.worker"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    producer = EventProducer(kafka_conn)
    try:
        producer.publish(a_connection_event())
        wait_until(lambda: queries.get_connection(read, TENANT).status == "connected", 90,
                   "the worker process projected the event")
    finally:
        producer.close()
        process.send_signal(signal.SIGTERM)
        _, raw_errors = process.communicate(timeout=60)  # drains stderr while waiting
        errors, code = raw_errors.decode(), process.returncode
    assert code == 0, errors[-2000:]
