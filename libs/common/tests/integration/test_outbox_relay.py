"""State and event are saved by one write; two relays publish each pending entry once."""
from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from clientsynq.common.kafka import EventProducer
from clientsynq.common.outbox import OutboxRelay, outbox_fields, outbox_indexes, with_outbox
from clientsynq.common.testing import a_connection_event
from clocks import OffsetClock
from kafka import KafkaConsumer

pytestmark = pytest.mark.integration


def published_ids(conn, expected: int, timeout_ms: int = 60000) -> list[str]:
    """Every id published, read until `expected` arrived or Kafka was silent for
    `timeout_ms` (generous: a loaded machine stretches the gap between relay rounds)."""
    consumer = KafkaConsumer(conn.topic("connection.changed"), bootstrap_servers=conn.servers,
                             auto_offset_reset="earliest", consumer_timeout_ms=timeout_ms,
                             **conn.fetch_options)
    ids = []
    for record in consumer:
        ids.append(json.loads(record.value)["id"])
        if len(ids) >= expected:
            break
    # read a little longer: a double publish would show up now
    consumer.config["consumer_timeout_ms"] = 1500
    ids += [json.loads(r.value)["id"] for r in consumer]
    consumer.close()
    return ids


def test_state_and_event_are_written_by_one_update(mongo_db, kafka_conn):
    coll = mongo_db.connections
    event = a_connection_event(tenant_id="t1")
    coll.insert_one({"_id": "t1", "tenant_id": "t1", "status": "pending"})
    coll.update_one({"_id": "t1"}, with_outbox({"$set": {"status": "connected"}}, [event]))
    doc = coll.find_one({"_id": "t1"})
    assert doc["status"] == "connected" and doc["_outbox"][0]["id"] == event["id"]
    producer = EventProducer(kafka_conn)
    assert OutboxRelay(mongo_db, ["connections"], producer).relay_once() == 1
    assert published_ids(kafka_conn, 1) == [event["id"]]
    assert coll.find_one({"_id": "t1"})["_outbox"] == []
    assert coll.find_one({"_id": "t1"})["_outbox_pending"] is False
    producer.close()


def test_two_relays_running_at_once_publish_each_entry_once(mongo_db, kafka_conn):
    coll = mongo_db.connections
    coll.create_indexes(outbox_indexes())
    events = []
    for i in range(40):
        batch = [a_connection_event(tenant_id=f"t{i}") for _ in range(3)]
        events += batch
        coll.insert_one({"_id": f"t{i}", "tenant_id": f"t{i}", **outbox_fields(batch)})
    producers = [EventProducer(kafka_conn), EventProducer(kafka_conn)]
    relays = [OutboxRelay(mongo_db, ["connections"], p) for p in producers]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop, 0.01)) for r in relays]
    for t in threads:
        t.start()
    for i in range(40, 60):  # writers keep adding while both relays run
        batch = [a_connection_event(tenant_id=f"t{i}")]
        events += batch
        coll.insert_one({"_id": f"t{i}", "tenant_id": f"t{i}", **outbox_fields(batch)})
    ids = published_ids(kafka_conn, len(events))
    stop.set()
    for t in threads:
        t.join(30)
    assert Counter(ids) == Counter(e["id"] for e in events)  # each exactly once
    assert coll.count_documents({"_outbox_pending": True}) == 0
    for p in producers:
        p.close()


def test_a_standby_relay_takes_over_when_the_active_one_dies(mongo_db, kafka_conn):
    coll = mongo_db.connections
    producer = EventProducer(kafka_conn)
    later = OffsetClock()
    active = OutboxRelay(mongo_db, ["connections"], producer, lease_seconds=30)
    standby = OutboxRelay(mongo_db, ["connections"], producer, lease_seconds=30, clock=later)
    first, second = a_connection_event(tenant_id="t1"), a_connection_event(tenant_id="t2")
    coll.insert_one({"_id": "t1", "tenant_id": "t1", **outbox_fields([first])})
    assert active.relay_once() == 1
    coll.insert_one({"_id": "t2", "tenant_id": "t2", **outbox_fields([second])})
    assert standby.relay_once() == 0  # the active relay's lease still stands
    later.advance(31)  # the active relay "died": by the standby's clock its lease ran out
    assert standby.relay_once() == 1
    assert sorted(published_ids(kafka_conn, 2)) == sorted([first["id"], second["id"]])
    producer.close()


def test_an_entry_added_after_a_relay_round_is_published_in_the_next(mongo_db, kafka_conn):
    coll = mongo_db.connections
    first, second = a_connection_event(tenant_id="t1"), a_connection_event(tenant_id="t1")
    coll.insert_one({"_id": "t1", "tenant_id": "t1", **outbox_fields([first])})
    producer = EventProducer(kafka_conn)
    relay = OutboxRelay(mongo_db, ["connections"], producer)
    assert relay.relay_once() == 1
    coll.update_one({"_id": "t1"}, with_outbox({"$set": {"status": "x"}}, [second]))
    assert coll.find_one({"_id": "t1"})["_outbox_pending"] is True
    assert relay.relay_once() == 1
    assert relay.relay_once() == 0
    assert published_ids(kafka_conn, 2) == [first["id"], second["id"]]
    producer.close()

