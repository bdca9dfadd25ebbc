"""webhook-svc worker processes on real Kafka and MongoDB: a SIGKILL mid-delivery loses
nothing, and two replicas send each attempt once.

Two replicas cannot send one attempt twice by construction (only the replica whose claim
insert succeeded sends it; see `domain/queue.py`), so that test proves it under whatever
load the machine has: its claim grace outlasts the test, so no claim can be judged
abandoned, and any second send of a message would be a second sender of one attempt."""
from __future__ import annotations

import signal
import threading
from collections import Counter

import pytest
from clientsynq.common.kafka import EventProducer
from clientsynq.common.testing import an_invoice_event
from clientsynq.webhooks.bootstrap import build, ensure_webhook_indexes
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.services.endpoints import create_endpoint
from receiver import Receiver
from webhook_harness import wait_until, webhook_env, worker_process

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]
TENANT = "tenant-crash"


def env_with(infra, kafka_conn, mongo_db, **extra: str) -> dict[str, str]:
    return webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_DELIVERY_LEASE="2s",
                       WEBHOOK_DELIVERY_POLL="20ms", WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
                       **extra)


@pytest.fixture
def crash_env(infra, kafka_conn, mongo_db):
    """A dead replica's claim is abandoned 5 s + 5 s + 1 s after it was made."""
    return env_with(infra, kafka_conn, mongo_db, WEBHOOK_DELIVERY_TIMEOUT="5s",
                    WEBHOOK_CLAIM_GRACE="1s", WEBHOOK_RETRY_TIME_SCALE="0.01")


@pytest.fixture
def replicas_env(infra, kafka_conn, mongo_db):
    """No claim can be abandoned within the test (15 s + 15 s + 600 s)."""
    return env_with(infra, kafka_conn, mongo_db, WEBHOOK_CLAIM_GRACE="600s")


def endpoint_for(deps, receiver: Receiver) -> str:
    created = create_endpoint(deps.outbound, deps.check_url, TENANT,
                              {"url": receiver.url, "event_types": ["invoice.updated"]})
    receiver.secrets.append(created.secret)
    return created.endpoint.id


def statuses(mongo_db) -> Counter:
    """Each delivery's status: its latest recorded outcome's, pending while it has none (a
    delivery is its first queue entry until its first outcome, which carries it after)."""
    latest: dict[str, tuple[int, str]] = {}
    for doc in mongo_db["delivery_attempts"].find():
        if doc["number"] > latest.get(doc["delivery_id"], (0, ""))[0]:
            latest[doc["delivery_id"]] = (doc["number"], doc["status"])
    ids = {doc["delivery_id"] for doc in mongo_db["delivery_queue"].find({"number": 1})}
    return Counter(latest.get(i, (0, "pending"))[1] for i in ids | set(latest))


def test_a_worker_killed_mid_delivery_delivers_after_restart(crash_env, kafka_conn, mongo_db):
    env = crash_env
    deps = build(Settings.from_env(env))
    ensure_webhook_indexes(deps)
    hang = threading.Event()
    producer = EventProducer(kafka_conn)
    with Receiver(hang=hang) as receiver:
        endpoint_for(deps, receiver)
        first = worker_process(env)
        try:
            producer.publish(an_invoice_event(tenant_id=TENANT))
            wait_until(lambda: receiver.messages(), 90, "the attempt to reach the receiver")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            first.kill()
        receiver.hang = None
        hang.set()
        assert statuses(mongo_db) == Counter({"pending": 1})  # persisted, not yet delivered
        second = worker_process(env)
        try:
            wait_until(lambda: statuses(mongo_db) == Counter({"delivered": 1}), 90,
                       "the restarted worker to deliver")
        finally:
            second.kill()  # a clean stop would wait out the dead member's group session
            second.wait(timeout=30)
        ids = {m.message_id for m in receiver.messages()}
        assert len(ids) == 1 and all(m.verified for m in receiver.messages())
    producer.close()


def test_two_replicas_send_each_attempt_once(replicas_env, kafka_conn, mongo_db):
    env = replicas_env
    deps = build(Settings.from_env(env))
    ensure_webhook_indexes(deps)
    producer = EventProducer(kafka_conn)
    with Receiver() as one, Receiver() as two, Receiver() as three:
        receivers = (one, two, three)
        for receiver in receivers:
            endpoint_for(deps, receiver)
        workers = [worker_process(env), worker_process(env)]
        try:
            producer.publish_many([an_invoice_event(tenant_id=TENANT) for _ in range(40)])
            wait_until(lambda: statuses(mongo_db) == Counter({"delivered": 120}), 180,
                       "every delivery")
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=90)
        for receiver in receivers:
            counts = Counter(m.message_id for m in receiver.messages())
            assert len(counts) == 40 and set(counts.values()) == {1}
            assert all(m.verified for m in receiver.messages())
    outcomes = list(mongo_db["delivery_attempts"].find())
    sent = Counter(o["delivery_id"] for o in outcomes if o["attempt"] is not None)
    assert len(sent) == 120 and set(sent.values()) == {1}  # the rest: claims too late to send
    assert mongo_db["delivery_claims"].count_documents({}) == len(outcomes)
    assert mongo_db["delivery_queue"].count_documents({}) == 0
    producer.close()
