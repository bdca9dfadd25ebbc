"""The scale model's second phase: the compressed window of a working day, with the
activity a busy office makes, counting what QuickBooks, Kafka and MongoDB saw (and, with
SCALE_PROFILE, profiling the workers)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from _infra import progress
from _scale_settings import (
    ACTIVITY_PER_DAY,
    DAY,
    HOUR,
    INTERVALS,
    PROFILE_DIR,
    TIME_SCALE,
    WINDOW_HOURS,
    WORKER_PROCESSES,
    Phases,
    say,
)
from clientsynq.common.kafka import KafkaConnection
from kafka import KafkaConsumer, TopicPartition
from qbo_sandbox.control import ControlError


def kafka_records(conn: KafkaConnection) -> int:
    consumer = KafkaConsumer(bootstrap_servers=conn.servers)
    try:
        topics = [t for t in consumer.topics() if t.startswith(conn.topic_prefix)]
        partitions = [TopicPartition(t, p) for t in topics
                      for p in consumer.partitions_for_topic(t) or ()]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def mongo_docs(db: Any) -> dict[str, int]:
    names = db.list_collection_names()
    with ThreadPoolExecutor(8) as pool:  # a count each: at once, not one after another
        return dict(zip(names, pool.map(lambda n: db[n].estimated_document_count(), names),
                        strict=True))


def readings(sandbox: Any, conn: KafkaConnection, db: Any) -> dict[str, Any]:
    """The counters the window's figures are differences of, read at once (one after
    another they took 28 s at 1,000 businesses, the workers still busy)."""
    with ThreadPoolExecutor(4) as pool:
        counts = pool.submit(sandbox.control.counts)
        kafka = pool.submit(kafka_records, conn)
        docs = pool.submit(mongo_docs, db)
        results = pool.submit(db["run_results"].count_documents, {})
        return {"counts": counts.result(), "kafka": kafka.result(), "docs": docs.result(),
                "results": results.result()}


def activity(sandbox: Any, tenants: list[Any], stop: threading.Event, per_second: float,
             made: Counter[str]) -> None:
    """Edits invoices at the compressed rate of a working day (each edit is one change the
    schedule must find: the hourly invoice sync)."""
    rng = random.Random(17)
    control = sandbox.control
    while not stop.wait(1.0 / per_second):
        tenant = rng.choice(tenants)
        try:
            control.change(tenant.realm_id, "Invoice", "1", operation="update",
                           PrivateNote=f"edit {made.total()}")
            made["Invoice"] += 1
        except ControlError as exc:  # counted, not fatal: the figures say how many
            made[f"refused {exc}"[:60]] += 1


def window(sandbox: Any, tenants: list[Any], db: Any, conn: KafkaConnection,
           phases: Phases) -> dict[str, Any]:
    """The compressed window; returns what was measured in it (the queue's length at the
    end read after the pause for the last slots, before the workers stop)."""
    wall = WINDOW_HOURS * HOUR / TIME_SCALE
    start = datetime.now(UTC)
    before = readings(sandbox, conn, db)
    counted_from = time.monotonic()
    phases.mark("window: figures before")
    made: Counter[str] = Counter()
    stop = threading.Event()
    rate = len(tenants) * ACTIVITY_PER_DAY / DAY * TIME_SCALE
    driver = threading.Thread(target=activity, args=(sandbox, tenants, stop, rate, made),
                              daemon=True)
    driver.start()
    spies = start_profiles(wall)
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < wall:
        progress(f"simulated {WINDOW_HOURS:g} h at x{TIME_SCALE:g}", int(elapsed), int(wall))
        time.sleep(min(5.0, wall - elapsed))
    progress(f"simulated {WINDOW_HOURS:g} h at x{TIME_SCALE:g}", int(wall), int(wall))
    stop.set()
    phases.mark(f"the window ({wall:.0f} s of activity)")
    driver.join(timeout=30)
    stop_profiles(spies)
    after = readings(sandbox, conn, db)
    # the counters' differences span from one reading to the other, not just the window
    span = time.monotonic() - counted_from
    phases.mark("window: profiles stopped, figures after")
    time.sleep(min(30.0, 3 * INTERVALS["Invoice"] / TIME_SCALE))  # let the last slots finish
    backlog = db["runs"].count_documents({"status": {"$in": ["pending", "running"]}})
    phases.mark("pause for the last slots")
    return {"wall": wall, "span": span, "start": start, "before": before, "after": after,
            "made": made, "backlog": backlog}


def start_profiles(seconds: float) -> list[subprocess.Popen[bytes]]:
    """SCALE_PROFILE: each worker counts afresh from now, and py-spy samples it (every
    thread, waiting included, so a round trip shows where it is waited for)."""
    if not PROFILE_DIR:
        return []
    spies = []
    for n, worker in enumerate(WORKER_PROCESSES):
        worker.send_signal(signal.SIGUSR1)
        spy = shutil.which("py-spy", path=os.path.dirname(sys.executable)) or "py-spy"
        spies.append(subprocess.Popen(
            [spy, "record", "--pid", str(worker.pid), "--duration", str(int(seconds)),
             "--rate", "20", "--idle", "--threads", "--nonblocking", "--format", "raw",
             "--output", os.path.join(PROFILE_DIR, f"pyspy-{n}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    say(f"profiling {len(spies)} worker(s) into {PROFILE_DIR}")
    return spies


def stop_profiles(spies: list[subprocess.Popen[bytes]]) -> None:
    if not PROFILE_DIR:
        return
    for worker in WORKER_PROCESSES:
        worker.send_signal(signal.SIGUSR2)
    for spy in spies:
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.terminate()
    time.sleep(2)  # the workers write their counts
    say(f"profile: python bench/_profile_report.py {PROFILE_DIR}")
