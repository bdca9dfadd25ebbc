"""webhook-svc: Intuit notification → `qbo.entity.changed`, and Enterprise deliveries out.

1. Intuit in: signed classic notifications POSTed at a steady rate to the real app (served
   by werkzeug, threaded), recorded with their event in MongoDB, published by the outbox
   relay; latency from the POST to the event read back from Kafka, p50/p99.
2. Webhooks out: invoice.updated events published to Kafka for a business with several
   endpoints at one local receiver; the real worker (consumer, fan-out, dispatcher with its
   leases) delivers them, signed. Deliveries per second and p99 from the event's publish to
   its receipt — beside a bare POST loop (same receiver, same concurrency, same body, no
   persistence or signing) in the same run: the ceiling of this machine and receiver.
Aim: at least 800 deliveries per second, p99 under 2 s.
"""
from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _infra import choose_infra, progress
from _results import Figure
from _results import record as record_figures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "webhook-svc" / "tests"))

import requests  # noqa: E402
from clientsynq.common.kafka import EventProducer, KafkaConnection, ensure_topics  # noqa: E402
from clientsynq.common.mongo import connect_mongo  # noqa: E402
from clientsynq.common.outbox import OutboxRelay  # noqa: E402
from clientsynq.common.testing import an_invoice_event  # noqa: E402
from clientsynq.webhooks.domain.inbox import RealmLink  # noqa: E402
from clientsynq.webhooks.services.endpoints import create_endpoint  # noqa: E402
from intuit_bodies import REALM, classic, signed  # noqa: E402
from kafka import KafkaConsumer  # noqa: E402
from receiver import Receiver  # noqa: E402
from webhook_harness import ThreadWorker, WebService, webhook_env  # noqa: E402

# Intuit batches: a few notifications a second per app
NOTIFICATIONS = int(os.environ.get("BENCH_WEBHOOK_NOTIFICATIONS", "400"))
RATE = 40.0
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))  # x ENDPOINTS deliveries
ENDPOINTS, CONCURRENCY = 4, 16
TENANT = "bench-tenant"
AIM_RATE, AIM_P99 = 800, 2.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Db:
    """Just enough of a pytest `mongo_db` for `webhook_env`."""

    def __init__(self, name: str) -> None:
        self.name = name


def intuit_in(env: dict[str, str], conn: KafkaConnection) -> tuple[list[float], float]:
    consumer = KafkaConsumer(conn.topic("qbo.entity.changed"), bootstrap_servers=conn.servers,
                             auto_offset_reset="earliest", group_id=None)
    token = env["QBO_WEBHOOK_VERIFIER_TOKEN"]
    sent: dict[str, float] = {}
    latencies: list[float] = []
    with WebService(env) as web:
        web.deps.intuit.realms.apply(RealmLink(REALM, TENANT, "connected", web.deps.clock()))
        producer = EventProducer(web.deps.platform.kafka)
        relay = OutboxRelay(web.deps.platform.db, ["intuit_changes"], producer,
                            lease_seconds=10)
        stop = threading.Event()
        relaying = threading.Thread(target=relay.run, args=(stop, 0.02), daemon=True)
        relaying.start()
        session = requests.Session()
        began = time.perf_counter()
        for n in range(NOTIFICATIONS):
            time.sleep(max(0.0, began + n / RATE - time.perf_counter()))
            body = classic(("Invoice", str(n), "update"))
            sent[str(n)] = time.time()
            assert session.post(web.intuit_url, data=body, headers=signed(body, token),
                                timeout=10).status_code == 200
            progress("Intuit notifications", n + 1, NOTIFICATIONS)
        achieved = NOTIFICATIONS / (time.perf_counter() - began)
        deadline = time.time() + 60
        while len(latencies) < NOTIFICATIONS and time.time() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    event = json.loads(record.value)
                    at = record.timestamp / 1000
                    latencies.append(at - sent[event["data"]["entity_id"]])
        stop.set()
        relaying.join(10)
        producer.close()
    consumer.close()
    return latencies, achieved


def bare_posts(url: str, body: bytes, count: int) -> float:
    local = threading.local()

    def post(_: int) -> None:
        session = getattr(local, "s", None) or requests.Session()
        local.s = session
        session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=15)

    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(post, range(count)))
    return count / (time.perf_counter() - began)


def webhooks_out(env: dict[str, str], conn: KafkaConnection) -> tuple[float, float, float]:
    with Receiver() as receiver, ThreadWorker(env) as worker:
        deps = worker.worker.deps.base
        for _ in range(ENDPOINTS):
            create_endpoint(deps.outbound, deps.check_url, TENANT,
                            {"url": receiver.url, "event_types": ["invoice.updated"]})
        events = [an_invoice_event(tenant_id=TENANT) for _ in range(EVENTS)]
        producer = EventProducer(conn)
        published: dict[str, float] = {}
        for i in range(0, EVENTS, 100):
            batch = events[i:i + 100]
            now = time.time()
            published.update({e["data"]["invoice"]["id"]: now for e in batch})
            producer.publish_many(batch)
        total = EVENTS * ENDPOINTS
        deadline = time.time() + 600
        while len(receiver.messages()) < total and time.time() < deadline:
            progress("deliveries received", len(receiver.messages()), total)
            time.sleep(0.5)
        got = receiver.messages()
        progress("deliveries received", len(got), total)
        producer.close()
        latencies = [m.at - published[m.payload["data"]["id"]] for m in got]
        rate = len(got) / (max(m.at for m in got) - min(published.values()))
        bare = bare_posts(receiver.url, got[0].body, total)
    return rate, pct(latencies, 0.99), bare


def main() -> int:
    print(f"webhooks: {NOTIFICATIONS} Intuit notifications at {RATE:g}/s; {EVENTS} events x "
          f"{ENDPOINTS} endpoints out")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    infra = choose_infra()
    mongo = connect_mongo(infra.mongo_uri)
    database = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
    try:
        conn = KafkaConnection(infra.kafka_bootstrap, f"b{uuid.uuid4().hex[:8]}.",
                               client_id="bench")
        ensure_topics(conn)
        env = webhook_env(infra, conn, Db(database), WEBHOOK_DELIVERY_WORKERS=str(CONCURRENCY),
                          WEBHOOK_PER_ENDPOINT_IN_FLIGHT=str(CONCURRENCY // 4),
                          WEBHOOK_DELIVERY_POLL="10ms", WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
                          LOG_LEVEL="WARNING")
        latencies, achieved = intuit_in(env, conn)
        rate, p99, bare = webhooks_out(env, conn)
    finally:
        mongo.drop_database(database)
        mongo.close()
        infra.stop()
    p50_in, p99_in = statistics.median(latencies), pct(latencies, 0.99)
    print(f"  Intuit → qbo.entity.changed: {len(latencies)} events at {achieved:.0f}/s achieved,"
          f" p50 {p50_in * 1000:.0f} ms, p99 {p99_in * 1000:.0f} ms")
    print(f"  deliveries out: {rate:,.0f}/s, p99 event → receipt {p99:.2f} s "
          f"(aim ≥ {AIM_RATE}/s, p99 < {AIM_P99} s)")
    print(f"  bare POST loop, same receiver, {CONCURRENCY} threads: {bare:,.0f}/s (ceiling)")
    record_figures("webhooks", [
        Figure("Intuit → qbo.entity.changed p50", round(p50_in * 1000), "ms",
               ceiling=f"p99 {p99_in * 1000:.0f} ms at {achieved:.0f} notifications/s"),
        Figure("deliveries per second", round(rate), "/s",
               ceiling=f"bare POST loop {bare:,.0f}/s", aim=f">= {AIM_RATE}/s",
               met=rate >= AIM_RATE),
        Figure("event → receipt p99", round(p99, 2), "s", aim=f"< {AIM_P99} s",
               met=p99 < AIM_P99)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
