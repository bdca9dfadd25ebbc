"""webhook-svc worker processes on real Kafka and MongoDB: a SIGKILL mid-delivery loses
nothing, and two replicas send each attempt once."""
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


@pytest.fixture
def env(infra, kafka_conn, mongo_db):
    return webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_DELIVERY_LEASE="2s",
                       WEBHOOK_DELIVERY_POLL="20ms", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


def endpoint_for(deps, receiver: Receiver) -> str:
    created = create_endpoint(deps.outbound, deps.check_url, TENANT,
                              {"url": receiver.url, "event_types": ["invoice.updated"]})
    receiver.secrets.append(created.secret)
    return created.endpoint.id


def statuses(mongo_db) -> Counter:
    return Counter(d["status"] for d in mongo_db["deliveries"].find())


def test_a_worker_killed_mid_delivery_delivers_after_restart(env, kafka_conn, mongo_db):
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


def test_two_replicas_send_each_attempt_once(env, kafka_conn, mongo_db):
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
            wait_until(lambda: statuses(mongo_db) == Counter({"delivered": 120}), 120,
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
    producer.close()
