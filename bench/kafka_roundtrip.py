"""Produce→consume throughput through clientsynq.common versus raw kafka-python, same run.

Both paths build customer.updated events and move them through the same broker, timed from
the first event built to the last one consumed. Ours builds each with `new_event` (validated
by its marshmallow schema), keys it by tenant, waits for acks=all, and on the way in decodes,
validates again and commits after handling; raw kafka-python builds the same dicts without
validation, json.dumps them, sends them with the same producer settings (acks=all,
idempotence, batching) and reads them back with json.loads, committing after each poll,
with the same consumer settings as ours (`KafkaConnection.consumer_options`: incremental
fetch sessions off, the same session and heartbeat). The ratio is the cost of validating
every event at both ends, and bookkeeping. BENCH_RAW_DEFAULTS=1 gives the raw consumer
kafka-python's defaults instead (fetch sessions on), to see what that option costs.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from _infra import choose_infra, progress
from _results import Figure
from _results import record as record_figures
from clientsynq.common.kafka import ConsumerRunner, EventProducer, KafkaConnection
from clientsynq.common.kafka.producer import BATCH_BYTES
from clientsynq.common.kafka.topics import wanted_topics
from clientsynq.common.testing import a_customer_event
from infra_fixtures import delete_topics
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

TOPIC = "customer.updated"
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
ROUNDS = 3  # alternate raw and ours; report medians so one noisy moment decides nothing
BATCH = 1_000
TARGET_RATIO = 0.8
READ_TIMEOUT = float(os.environ.get("BENCH_READ_TIMEOUT", "300"))  # seconds
# What EventProducer sets, so the two sides pay for the same delivery guarantees (acks=all,
# idempotence) with the same batching; only our own work (validation at both ends, the
# envelope, metrics) differs.
PRODUCER_SETTINGS = {"acks": "all", "retries": 2**31 - 1, "linger_ms": 5,
                     "request_timeout_ms": 15_000, "delivery_timeout_ms": 15_005,
                     "enable_idempotence": True,
                     "max_in_flight_requests_per_connection": 5, "batch_size": BATCH_BYTES}


def ours(conn: KafkaConnection, count: int) -> float:
    producer = EventProducer(conn)
    seen = 0
    done = threading.Event()

    def handle(_event: object) -> None:
        nonlocal seen
        seen += 1
        if seen >= count:
            done.set()

    runner = ConsumerRunner(conn, f"bench-{uuid.uuid4().hex[:6]}", [TOPIC], handle,
                            dlq=producer, max_poll_records=1000)
    consumer = threading.Thread(target=runner.run, daemon=True)
    consumer.start()
    _joined(runner.assignment, lambda: time.sleep(0.05), "ours")  # before the clock, as raw
    started = time.perf_counter()
    for i in range(0, count, BATCH):
        producer.publish_many([a_customer_event(tenant_id=f"tenant-{n % 50}")
                               for n in range(i, i + BATCH)])
        progress("clientsynq.common produce", i + BATCH, count)
    if not done.wait(READ_TIMEOUT):
        print(f"  our consumer did not read all {count} records within {READ_TIMEOUT} s")
    elapsed = time.perf_counter() - started
    runner.stop()
    consumer.join(10)
    producer.close()
    return min(seen, count) / elapsed


def raw(conn: KafkaConnection, count: int, template: dict) -> float:
    topic = conn.topic(TOPIC)
    producer = KafkaProducer(bootstrap_servers=conn.servers, **PRODUCER_SETTINGS)
    consumer = KafkaConsumer(topic, bootstrap_servers=conn.servers, group_id=f"raw-{uuid.uuid4()}",
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             max_poll_records=1000, **_raw_consumer_options(conn))
    _joined(consumer.assignment, lambda: consumer.poll(timeout_ms=100), "raw")  # like ours
    started = time.perf_counter()
    seen: list[int] = []
    reader = threading.Thread(target=lambda: seen.append(_drain(consumer, count)), daemon=True)
    reader.start()
    for i in range(0, count, BATCH):
        batch = [_plain_event(template, n) for n in range(i, i + BATCH)]
        futures = [producer.send(topic, key=e["tenantid"].encode(), value=json.dumps(e).encode())
                   for e in batch]
        producer.flush()
        for f in futures:
            f.get(timeout=30)
        progress("raw kafka-python produce", i + BATCH, count)
    reader.join(READ_TIMEOUT)
    elapsed = time.perf_counter() - started
    producer.close()
    if not seen:  # the reader did not finish: report what it read, not what was sent
        print(f"  raw consumer did not read all {count} records within {READ_TIMEOUT} s")
    return (seen[0] if seen else _drained_so_far) / elapsed


_drained_so_far = 0
JOIN_TIMEOUT = float(os.environ.get("BENCH_JOIN_TIMEOUT", "120"))  # seconds


def _joined(assignment: Callable[[], object], wait: Callable[[], object], side: str) -> None:
    """Wait until the consumer has partitions (not timed), at most JOIN_TIMEOUT: on a loaded
    shared broker a kafka-python consumer was seen never to join (6 minutes), and the bench
    then hung instead of saying so."""
    deadline = time.monotonic() + JOIN_TIMEOUT
    while not assignment():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{side}'s consumer did not join its group within "
                               f"{JOIN_TIMEOUT:.0f} s (broker overloaded?)")
        wait()


def _raw_consumer_options(conn: KafkaConnection) -> dict:
    """Ours: the connection's consumer options (what every ConsumerRunner gets), so both
    sides fetch the same way; BENCH_RAW_DEFAULTS=1: kafka-python's defaults."""
    if os.environ.get("BENCH_RAW_DEFAULTS") == "1":
        return dict(conn.client_options)
    return conn.consumer_options


def _plain_event(template: dict, n: int) -> dict:
    """The same shape and fresh ids/times as `a_customer_event`, without validation."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    customer = {**template["data"]["customer"], "id": uuid.uuid4().hex[:8],
                "created_at": now, "updated_at": now}
    return {**template, "id": str(uuid.uuid4()), "time": now, "tenantid": f"tenant-{n % 50}",
            "subject": customer["id"], "data": {"customer": customer}}


def _drain(consumer: KafkaConsumer, expected: int) -> int:
    global _drained_so_far
    seen = _drained_so_far = 0
    while seen < expected:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                json.loads(record.value)
                seen += 1
        _drained_so_far = seen
        consumer.commit()
    consumer.close()
    return seen


def _cpu_seconds() -> float:
    """CPU time of this process (every thread): what each path costs the client, which a
    machine shared with other work disturbs far less than the wall-clock rate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fresh_topics(infra, label: str) -> KafkaConnection:
    """New, empty topics for each side of each round, so both consumers read from the start
    ("earliest") exactly the events of their round. (The prefix was once the same in every
    run: on a shared broker ours then read the previous runs' events too and was done
    early, and raw, reading from "latest", could miss the first records it was sent
    before its position was resolved and wait out its timeout.) Only the topic used and
    its dead letters are made, and `_drop_topics` removes them after the round: a whole
    architecture's topics per side and round were thousands of partitions on a shared
    broker after a few runs."""
    conn = KafkaConnection(infra.kafka_bootstrap,
                           topic_prefix=f"bench-{label}-{uuid.uuid4().hex[:8]}.")
    admin = KafkaAdminClient(bootstrap_servers=conn.servers, **conn.client_options)
    try:
        admin.create_topics([NewTopic(conn.topic(name), partitions, 1) for name, partitions
                             in wanted_topics([TOPIC]).items()])
    finally:
        admin.close()
    return conn


def _drop_topics(*conns: KafkaConnection) -> None:
    for conn in conns:
        delete_topics(conn)


def main() -> int:
    print(f"kafka_roundtrip: {MESSAGES} customer.updated events, produce→consume, "
          f"{ROUNDS} rounds")
    infra = choose_infra()
    try:
        print(f"  infrastructure: {infra.kind} ({infra.kafka_bootstrap})")
        template = dict(a_customer_event())
        raw_rates, ours_rates, raw_cpu, ours_cpu = [], [], [], []
        for n in range(ROUNDS):
            print(f"  round {n + 1} of {ROUNDS}")
            raw_conn, ours_conn = _fresh_topics(infra, f"raw{n}"), _fresh_topics(infra, f"ours{n}")
            try:
                spent = _cpu_seconds()
                raw_rates.append(raw(raw_conn, MESSAGES, template))
                raw_cpu.append((_cpu_seconds() - spent) / MESSAGES * 1e6)
                spent = _cpu_seconds()
                ours_rates.append(ours(ours_conn, MESSAGES))
                ours_cpu.append((_cpu_seconds() - spent) / MESSAGES * 1e6)
            finally:
                _drop_topics(raw_conn, ours_conn)
    finally:
        infra.stop()
    raw_rate, ours_rate = statistics.median(raw_rates), statistics.median(ours_rates)
    ratio = ours_rate / raw_rate
    print(f"  raw kafka-python:    {raw_rate:10,.0f} msg/s  (ceiling, same run; median of "
          f"{', '.join(f'{r:,.0f}' for r in raw_rates)}; consumer settings: "
          f"{'kafka-python defaults' if os.environ.get('BENCH_RAW_DEFAULTS') == '1' else 'ours'})")
    print(f"  clientsynq.common:   {ours_rate:10,.0f} msg/s  (median of "
          f"{', '.join(f'{r:,.0f}' for r in ours_rates)})")
    print(f"  client CPU per message (this process, all threads, group join and set-up "
          f"included): raw {statistics.median(raw_cpu):.0f} µs, ours "
          f"{statistics.median(ours_cpu):.0f} µs (medians; load average now "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print(f"  ratio:               {ratio:10.2f}  (aim ≥ {TARGET_RATIO})"
          f"  {'OK' if ratio >= TARGET_RATIO else 'BELOW AIM'}")
    record_figures("kafka_roundtrip", [
        Figure("clientsynq.common produce→consume", round(ours_rate), "msg/s",
               ceiling=f"raw kafka-python {raw_rate:,.0f} msg/s"),
        Figure("ratio to raw kafka-python", round(ratio, 2), "x", aim=f">= {TARGET_RATIO}",
               met=ratio >= TARGET_RATIO)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
