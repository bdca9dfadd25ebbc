"""webhook-svc: Intuit notification → `qbo.entity.changed`, and Enterprise deliveries out.

1. Intuit in: signed classic notifications POSTed at a steady rate to the real app (served
   by werkzeug, threaded), recorded with their event in MongoDB, published by the outbox
   relay; latency from the POST to the event read back from Kafka, p50/p99.
2. Webhooks out: invoice.updated events published to Kafka for a business with 4 endpoints
   at one local receiver (`webhook_receiver.py`, a lean asyncio server in its own process
   that verifies every signature with `standardwebhooks` and stamps each receipt); the
   real worker (consumer, fan-out, dispatcher with its leases) delivers them, signed.
   - a burst: BENCH_WEBHOOK_EVENTS events published at once; deliveries per second from
     the first publish to the last receipt. Its p99 event → receipt is the time to drain
     the burst (printed, not the latency aim);
   - a steady rate: AIM_RATE deliveries a second offered for BENCH_WEBHOOK_STEADY_SECONDS;
     the p99 from each event's publish to its receipt (the latency aim), and the rate
     received.
   - beside them, a bare POST loop (same receiver, same concurrency, a body of the same
     size, no persistence or signing, the sender's HTTP client) in the same run: the
     ceiling of this machine, receiver and HTTP client. BENCH_WEBHOOK_NOTIFICATIONS=0 skips part 1.
Aim: at least 800 deliveries per second, p99 under 2 s.
"""
from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _infra import choose_infra, progress
from _results import Figure
from _results import record as record_figures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "webhook-svc" / "tests"))

import requests  # noqa: E402
import urllib3  # noqa: E402
from clientsynq.common.kafka import EventProducer, KafkaConnection, ensure_topics  # noqa: E402
from clientsynq.common.mongo import connect_mongo  # noqa: E402
from clientsynq.common.outbox import OutboxRelay  # noqa: E402
from clientsynq.common.testing import an_invoice_event  # noqa: E402
from clientsynq.webhooks.domain.inbox import RealmLink  # noqa: E402
from clientsynq.webhooks.domain.public import public_payload  # noqa: E402
from clientsynq.webhooks.services.endpoints import create_endpoint  # noqa: E402
from intuit_bodies import REALM, classic, signed  # noqa: E402
from kafka import KafkaConsumer  # noqa: E402
from webhook_harness import ThreadWorker, WebService, webhook_env  # noqa: E402

# Intuit batches: a few notifications a second per app
NOTIFICATIONS = int(os.environ.get("BENCH_WEBHOOK_NOTIFICATIONS", "400"))
RATE = 40.0
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))  # x ENDPOINTS deliveries
ENDPOINTS, CONCURRENCY = 4, 16
STEADY_SECONDS = float(os.environ.get("BENCH_WEBHOOK_STEADY_SECONDS", "10"))
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


class LeanReceiver:
    """`webhook_receiver.py` in its own process (see its docstring for why)."""

    def __enter__(self) -> LeanReceiver:
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).parent /
                                                             "webhook_receiver.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        self.base = f"http://127.0.0.1:{int(self.process.stdout.readline())}"
        self.session = requests.Session()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)

    def url(self, n: int) -> str:
        return f"{self.base}/hooks/{n}"

    def verify_with(self, secrets: dict[str, str]) -> None:
        """Each endpoint's secret by its path: a receipt verifies only with its own."""
        self.session.post(f"{self.base}/_secrets", json=secrets, timeout=10).raise_for_status()

    def count(self) -> int:
        return int(self.session.get(f"{self.base}/_count", timeout=30).text)

    def received(self) -> list[tuple[str, str, float, bool]]:
        text = self.session.get(f"{self.base}/_received", timeout=60).text
        return [tuple(json.loads(line)) for line in text.splitlines()]  # type: ignore[misc]


def bare_posts(url: str, body: bytes, headers: dict[str, str], count: int) -> float:
    """With the HTTP client the sender uses (urllib3's keep-alive pools directly, as
    webhook-svc's `pinned.py` since 2026-12-05), so the ceiling is like with like."""
    client = urllib3.PoolManager(maxsize=CONCURRENCY, retries=False)

    def post(_: int) -> None:
        client.request("POST", url, body=body, headers=headers, timeout=15.0)

    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(post, range(count)))
    return count / (time.perf_counter() - began)


@dataclass
class Phase:
    rate: float  # deliveries received per second, first publish to last receipt
    p50: float
    p99: float
    received: int
    unverified: int


def publish(producer: EventProducer, events: list[dict[str, object]], per_second: float | None,
            published: dict[str, float]) -> None:
    """In batches of 100 at once (a burst), or at `per_second` events in 20 ms steps."""
    step = 100 if per_second is None else max(1, int(per_second / 50))
    began = time.perf_counter()
    for i in range(0, len(events), step):
        if per_second is not None:
            time.sleep(max(0.0, began + i / per_second - time.perf_counter()))
        batch = events[i:i + step]
        now = time.time()
        published.update({e["data"]["invoice"]["id"]: now for e in batch})  # type: ignore[index]
        producer.publish_many(batch)


def deliver(receiver: LeanReceiver, producer: EventProducer, count: int,
            per_second: float | None, label: str) -> Phase:
    before = receiver.count()
    events = [an_invoice_event(tenant_id=TENANT) for _ in range(count)]
    published: dict[str, float] = {}
    publish(producer, events, per_second, published)
    total = count * ENDPOINTS
    deadline = time.time() + 600
    while (got := receiver.count() - before) < total and time.time() < deadline:
        progress(label, got, total)
        time.sleep(0.5)
    progress(label, got, total)
    mine = [r for r in receiver.received() if r[1] in published]
    latencies = [at - published[data_id] for _, data_id, at, _ in mine]
    rate = len(mine) / (max(r[2] for r in mine) - min(published.values()))
    return Phase(rate, statistics.median(latencies), pct(latencies, 0.99), len(mine),
                 sum(1 for r in mine if not r[3]))


def webhooks_out(env: dict[str, str], conn: KafkaConnection) -> tuple[Phase, Phase, float]:
    with LeanReceiver() as receiver, ThreadWorker(env) as worker:
        deps = worker.worker.deps.base
        receiver.verify_with({
            f"/hooks/{n}": create_endpoint(deps.outbound, deps.check_url, TENANT, {
                "url": receiver.url(n), "event_types": ["invoice.updated"]}).secret
            for n in range(ENDPOINTS)})
        producer = EventProducer(conn)
        burst = deliver(receiver, producer, EVENTS, None, "deliveries, burst")
        steady = deliver(receiver, producer, int(AIM_RATE / ENDPOINTS * STEADY_SECONDS),
                         AIM_RATE / ENDPOINTS, f"deliveries, {AIM_RATE}/s offered")
        producer.close()
        body = public_payload("invoice.updated", an_invoice_event(tenant_id=TENANT)["data"],
                              datetime.now(UTC)).encode()
        headers = {"Content-Type": "application/json", "webhook-id": "msg_bare",
                   "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,bare"}
        bare = bare_posts(receiver.url(0), body, headers, EVENTS * ENDPOINTS)
    return burst, steady, bare


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
        latencies, achieved = intuit_in(env, conn) if NOTIFICATIONS else ([0.0], 0.0)
        burst, steady, bare = webhooks_out(env, conn)
    finally:
        mongo.drop_database(database)
        mongo.close()
        infra.stop()
    p50_in, p99_in = statistics.median(latencies), pct(latencies, 0.99)
    print(f"  Intuit → qbo.entity.changed: {len(latencies)} events at {achieved:.0f}/s achieved,"
          f" p50 {p50_in * 1000:.0f} ms, p99 {p99_in * 1000:.0f} ms")
    for name, phase in (("burst", burst), (f"{AIM_RATE}/s offered", steady)):
        print(f"  deliveries out, {name}: {phase.received} received at {phase.rate:,.0f}/s, "
              f"event → receipt p50 {phase.p50:.2f} s, p99 {phase.p99:.2f} s; "
              f"{phase.unverified} failed the receiver's signature check")
    print(f"  (aim ≥ {AIM_RATE}/s in the burst, p99 < {AIM_P99} s at {AIM_RATE}/s offered; "
          f"a burst's p99 is the time to drain it)")
    print(f"  bare POST loop, same receiver, {CONCURRENCY} threads: {bare:,.0f}/s (ceiling)")
    record_figures("webhooks", [
        Figure("Intuit → qbo.entity.changed p50", round(p50_in * 1000), "ms",
               ceiling=f"p99 {p99_in * 1000:.0f} ms at {achieved:.0f} notifications/s"),
        Figure("deliveries per second (burst)", round(burst.rate), "/s",
               ceiling=f"bare POST loop {bare:,.0f}/s", aim=f">= {AIM_RATE}/s",
               met=burst.rate >= AIM_RATE),
        Figure(f"event → receipt p99 at {AIM_RATE}/s offered", round(steady.p99, 2), "s",
               ceiling=f"{steady.rate:,.0f}/s received; burst drain p99 {burst.p99:.1f} s",
               aim=f"< {AIM_P99} s", met=steady.p99 < AIM_P99 and steady.rate >= 0.95 * AIM_RATE)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
