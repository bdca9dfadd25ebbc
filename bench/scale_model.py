"""Scale model: many connected businesses of varied sizes, the schedule's time compressed.

What runs: the QBO sandbox (its own process), auth-svc (in-process, its real HTTP API and
outbox relay) and the real sync worker (`python -m clientsynq.sync.worker`: consumers,
scheduler, outbox relay) over the shared Kafka and MongoDB-wire server. Portal-svc and
webhook-svc are not started: they consume what sync-svc publishes, and their load is
what is counted on Kafka here.

Steps:
1. Connect SCALE_BUSINESSES (1,000) businesses through auth-svc's real sign-up and OAuth
   connect against the sandbox's consent page (the faithful path; only the plan is set
   through the operator API, as an operator would). Companies are tiny/small/medium/large
   in fixed proportions (SIZES). The worker's initial syncs are timed: throughput.
2. A compressed window: the worker's schedule intervals divided by SCALE_TIME (sync-svc's
   own SYNC_*_INTERVAL and SYNC_SCHEDULER_TICK settings are the time-scale knob; the
   sandbox keeps real time, it has no schedule). For SCALE_WINDOW_HOURS simulated hours the
   bench also edits invoices and records payments in random companies (a busy office's day
   of activity, compressed alike). Webhooks are not registered: every change must be found
   by the schedule, the worst case the 5-minute payments safety net exists for.
3. Measured: QuickBooks requests per business per simulated day (sandbox counters,
   by kind), how late each scheduled sync ran (slot due → sync result), sync runs/s, Kafka
   records/s and MongoDB documents written/s and data size. Figures go to make bench's
   table; docs/capacity.md reasons from them.

Environment: SCALE_BUSINESSES (1,000), SCALE_TIME (default 1: real time; a 2-core machine
does not keep up with 1,000 businesses even then, docs/capacity.md), SCALE_WINDOW_HOURS
(default 0.0833: 5 minutes), SCALE_CONNECT_THREADS (16), SCALE_WORKERS (sync worker
processes, default 4), SCALE_RUNS_PER_WORKER (SYNC_MAX_CONCURRENT_RUNS, default 4 as in
production), SCALE_CONNECT_FIRST (default 1: connect every business, then start the
workers), SCALE_INITIAL_BUDGET (seconds from the workers' start the initial syncs get
before the window starts anyway, 180: the rest are the window's backlog),
SCALE_CONNECT_BUDGET (seconds after which no further business starts connecting, 400: the
run goes on with those connected, and every per-business figure divides by how many did).
The defaults bound a run to about 15 minutes whatever the machine.

The workers run with production's scheduler and run-history retention, their intervals
(roster rescan, housekeeping) compressed alike; the retention's minimum age is set past
the run's length so the lateness figures still find every result of the window.
"""
from __future__ import annotations

import logging
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from _infra import ROOT, choose_infra, progress
from _results import Figure
from _results import record as record_figures

sys.path.insert(0, str(ROOT / "tests" / "support"))

import requests
from clientsynq.common.kafka import KafkaConnection, ensure_topics
from clientsynq.common.mongo import connect_mongo
from clientsynq.sync.domain.schedule import slot_start
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from pymongo.errors import PyMongoError
from qbo_fixtures import connect_new_tenant, free_port, start_auth_service
from qbo_sandbox.control import ControlError
from qbo_sandbox.testing import running_sandbox

BUSINESSES = int(os.environ.get("SCALE_BUSINESSES", "1000"))
TIME_SCALE = float(os.environ.get("SCALE_TIME", "1"))
WINDOW_HOURS = float(os.environ.get("SCALE_WINDOW_HOURS", "0.0833"))
CONNECT_THREADS = int(os.environ.get("SCALE_CONNECT_THREADS", "16"))
WORKERS = int(os.environ.get("SCALE_WORKERS", "4"))
INITIAL_BUDGET = float(os.environ.get("SCALE_INITIAL_BUDGET", "180"))
CONNECT_BUDGET = float(os.environ.get("SCALE_CONNECT_BUDGET", "400"))
# connect every business before the workers start (their initial syncs then run as one
# backlog, timed alone) instead of competing with the connecting for the 2 cores
CONNECT_FIRST = os.environ.get("SCALE_CONNECT_FIRST", "1") != "0"
HOUR, DAY = 3600.0, 86400.0
# (share of businesses, customers, invoices, payments): most are small offices
SIZES = {"tiny": (0.60, 3, 8, 4), "small": (0.30, 10, 30, 15), "medium": (0.09, 40, 120, 60),
         "large": (0.01, 150, 500, 250)}
# changes per business per real day: invoices edited, payments recorded
ACTIVITY_PER_DAY = 12
INTERVALS = {"Customer": DAY, "Invoice": HOUR, "Payment": 300.0, "reconcile": DAY}
# SCALE_PROFILE=<dir>: count each worker's costs per run in the window and record a py-spy
# profile of it there (bench/_profiled_worker.py, bench/_profile_report.py)
PROFILE_DIR = os.environ.get("SCALE_PROFILE", "")
WORKER_PROCESSES: list[subprocess.Popen[bytes]] = []


def say(message: str) -> None:
    print(f"[scale_model] {message}", flush=True)


def sizes_for(count: int) -> list[tuple[str, int, int, int]]:
    out: list[tuple[str, int, int, int]] = []
    for name, (share, customers, invoices, payments) in SIZES.items():
        out += [(name, customers, invoices, payments)] * max(1, round(share * count))
    return out[:count]


def sync_env(infra: Any, conn: KafkaConnection, database: str, auth: Any,
             sandbox: Any) -> dict[str, str]:
    scaled = {f"SYNC_{kind.upper()}_INTERVAL": f"{max(1.0, every / TIME_SCALE):.3f}s"
              for kind, every in INTERVALS.items()}
    return {**os.environ, **scaled,
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": conn.topic_prefix, "MONGODB_URI": infra.mongo_uri,
            "MONGODB_DATABASE": database, "SERVICE_SECRET_SYNC": auth.sync_secret,
            "SERVICE_SECRET_PORTAL_SYNC": secrets.token_urlsafe(24),  # portal→sync
            "SYNC_AUTH_URL": auth.base_url,
            "SYNC_QBO_BASE_URL": sandbox.base_url,
            "SYNC_MAX_CONCURRENT_RUNS": os.environ.get("SCALE_RUNS_PER_WORKER", "4"),
            "SYNC_SCHEDULER_TICK": f"{max(0.05, 30.0 / TIME_SCALE):.3f}s",
            "SYNC_SCHEDULER_ROSTER_REFRESH": f"{max(1.0, 300.0 / TIME_SCALE):.3f}s",
            "SYNC_HOUSEKEEPING_INTERVAL": f"{max(1.0, HOUR / TIME_SCALE):.3f}s",
            "SYNC_RUN_HISTORY_MIN_AGE": f"{INITIAL_BUDGET + CONNECT_BUDGET + HOUR:.0f}s",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"), "PYTHONUNBUFFERED": "1"}


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The production command; with SCALE_PROFILE the same worker under
    `_profiled_worker.py`, which counts its MongoDB commands and requests per run."""
    log_path = os.environ.get("BENCH_WORKER_LOG")
    sink = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    command = [sys.executable, "-m", "clientsynq.sync.worker"]
    if PROFILE_DIR:
        os.makedirs(PROFILE_DIR, exist_ok=True)
        command = [sys.executable, str(ROOT / "bench" / "_profiled_worker.py"),
                   os.path.join(PROFILE_DIR, f"counts-{len(WORKER_PROCESSES)}.json")]
    worker = subprocess.Popen(command, env={**env, "SYNC_METRICS_PORT": str(free_port())},
                              stdout=sink, stderr=sink)
    WORKER_PROCESSES.append(worker)
    return worker


def connect_all(auth: Any, sandbox: Any) -> tuple[list[Any], Counter[str]]:
    """Connects up to BUSINESSES within CONNECT_BUDGET; a failed connect is counted and
    the run goes on (a loaded machine times some out)."""
    plans = ("basic", "pro", "enterprise")
    shapes = sizes_for(BUSINESSES)
    done: list[Any] = []
    outcome: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + CONNECT_BUDGET

    def one(index: int) -> Any:
        if time.monotonic() > deadline:
            outcome["not started (budget spent)"] += 1
            return None
        _, customers, invoices, payments = shapes[index]
        try:
            tenant = connect_new_tenant(auth, sandbox, plan=plans[index % 3],
                                        customers=customers, invoices=invoices,
                                        payments=payments, seed=index, publish=False)
        except (AssertionError, requests.RequestException, ControlError) as exc:  # counted
            outcome[f"failed: {type(exc).__name__}"] += 1
            if outcome.total() - outcome["connected"] <= 3:  # the first few say why
                say(f"connect failed: {type(exc).__name__}: {str(exc)[:300]}")
            return None
        with lock:
            done.append(tenant)
            outcome["connected"] += 1
            progress("connecting businesses", len(done), BUSINESSES)
        return tenant

    with ThreadPoolExecutor(CONNECT_THREADS) as pool:
        tenants = [t for t in pool.map(one, range(BUSINESSES)) if t is not None]
    return tenants, outcome


def wait_group_stable(conn: KafkaConnection, group: str, limit: float = 120.0) -> None:
    """Until the workers' consumer group is Stable twice, 2 s apart (all have joined)."""
    admin = KafkaAdminClient(bootstrap_servers=conn.servers)
    deadline, stable = time.monotonic() + limit, 0
    try:
        while time.monotonic() < deadline and stable < 2:
            states = {g["group_id"]: g.get("group_state") for g in admin.list_groups()}
            stable = stable + 1 if states.get(conn.group(group)) == "Stable" else 0
            time.sleep(2.0)
    finally:
        admin.close()
    say(f"consumer group {conn.group(group)}: {'stable' if stable >= 2 else 'NOT stable'} "
        "after the workers started")


def relay_all(auth: Any) -> int:
    total = 0
    while (sent := auth.relay_events()) > 0:
        total += sent
    return total


def relay_while(auth: Any, done: threading.Event) -> None:
    """auth-svc's outbox relay, as its worker runs it, while businesses connect."""
    while not done.wait(2.0):
        try:
            relay_all(auth)
        except PyMongoError as exc:  # the server restarted under us: the next round retries
            say(f"auth relay: {type(exc).__name__}, retrying")


def wait_initial(db: Any, tenants: list[Any], started: float, budget: float) -> int:
    """Initial syncs finished within the budget, counted from the first connection (the
    rest stay queued: the window then starts with that backlog, and the report says so)."""
    ids = [t.tenant_id for t in tenants]
    deadline = started + budget
    finished = 0
    while time.monotonic() < deadline:
        finished = len(db["run_results"].distinct("tenant_id", {"tenant_id": {"$in": ids}}))
        progress("initial syncs", finished, len(ids))
        if finished >= len(ids):
            break
        time.sleep(5)
    return finished


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
    return {name: db[name].estimated_document_count() for name in db.list_collection_names()}


def data_size(db: Any) -> float:
    try:
        stats = db.command("dbStats")
        return float(stats.get("dataSize", 0)) + float(stats.get("indexSize", 0))
    except PyMongoError:  # a server without dbStats: the size is then unknown
        return 0.0


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


def lateness(db: Any, window_start: datetime) -> dict[str, list[float]]:
    """Per kind: seconds from a scheduled slot falling due to the next sync result of that
    tenant (a sync merged into another run is done when that run is)."""
    results: dict[str, list[datetime]] = {}
    for doc in db["run_results"].find({"finished_at": {"$gte": window_start}},
                                      {"tenant_id": 1, "finished_at": 1}):
        results.setdefault(doc["tenant_id"], []).append(_utc(doc["finished_at"]))
    for finished in results.values():
        finished.sort()
    late: dict[str, list[float]] = {}
    for claim in db["schedule_claims"].find({"created_at": {"$gte": window_start},
                                             "_outbox": {"$exists": True}}):
        tenant_id, kind, _, slot = claim["_id"].rsplit("|", 3)
        # the slot was cut with the configured (fractional) interval, not the id's int()
        due = datetime.fromtimestamp(
            slot_start(tenant_id, kind, max(1.0, INTERVALS[kind] / TIME_SCALE), int(slot)), UTC)
        after = [f for f in results.get(tenant_id, []) if f >= _utc(claim["created_at"])]
        late.setdefault(kind, []).append((after[0] - due).total_seconds() if after
                                         else float("inf"))
        # the scheduler's own share: due → requested (the rest is the queue and the run)
        late.setdefault(f"{kind} requested", []).append(
            (_utc(claim["created_at"]) - due).total_seconds())
    return late


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_times(db: Any, since: datetime) -> tuple[list[float], list[float]]:
    """Per run finished since `since`: seconds queued (requested → started) and working
    (started → finished)."""
    queued, working = [], []
    finished = {doc["_id"]: _utc(doc["finished_at"]) for doc in db["run_results"].find(
        {"finished_at": {"$gte": since}}, {"finished_at": 1})}  # one scan, not one a run
    for run in db["runs"].find({"created_at": {"$gte": since}, "started_at": {"$ne": None}},
                               {"created_at": 1, "started_at": 1, "_id": 1}):
        queued.append((_utc(run["started_at"]) - _utc(run["created_at"])).total_seconds())
        if run["_id"] in finished:
            working.append((finished[run["_id"]] - _utc(run["started_at"])).total_seconds())
    return queued, working


def tick_cost(db: Any) -> tuple[float, float, int]:
    """The production scheduler's costs on this run's tenants, at real-time intervals:
    seconds of its roster rescan (one scan of connected tenants, every 5 min per replica)
    and of a tick with nothing due (every 30 s: no read), and how many (tenant, kind)
    pairs it watches. A tick that finds work adds one read by `_id` per due tenant and one
    insert per due slot. The watermark it writes is this run's own (the workers' is
    scaled time; a rescan at real intervals requests nothing that was not due)."""
    from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
    from clientsynq.sync.adapters.tenants import TenantStore
    from clientsynq.sync.config import ScheduleSettings
    from clientsynq.sync.scheduler import Scheduler

    scheduler = Scheduler(TenantStore(db), ScheduleClaims(db), ScheduleSettings(), "/bench",
                          lambda _: "basic")
    now = datetime.now(UTC)
    began = time.monotonic()
    scheduler.tick(now)  # the first tick of a replica: the rescan
    rescan = time.monotonic() - began
    began = time.monotonic()
    scheduler.tick(now)
    return rescan, time.monotonic() - began, scheduler.scheduled


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def window(sandbox: Any, tenants: list[Any], db: Any, conn: KafkaConnection) -> dict[str, Any]:
    """The compressed window; returns what was measured in it."""
    wall = WINDOW_HOURS * HOUR / TIME_SCALE
    start = datetime.now(UTC)
    before = {"counts": sandbox.control.counts(), "kafka": kafka_records(conn),
              "docs": mongo_docs(db), "results": db["run_results"].count_documents({})}
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
    driver.join(timeout=30)
    stop_profiles(spies)
    after = {"counts": sandbox.control.counts(), "kafka": kafka_records(conn),
             "docs": mongo_docs(db), "results": db["run_results"].count_documents({})}
    time.sleep(min(30.0, 3 * INTERVALS["Invoice"] / TIME_SCALE))  # let the last slots finish
    say("window closed: reading lateness per slot (one scan of results and claims)")
    return {"wall": wall, "start": start, "before": before, "after": after, "made": made,
            "late": lateness(db, start)}


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


def report(measured: dict[str, Any], initial_rate: float, db: Any, businesses: int) -> None:
    days = WINDOW_HOURS / 24
    wall = measured["wall"]
    before, after = measured["before"], measured["after"]
    requests = after["counts"]["requests"] - before["counts"]["requests"]
    by_kind = Counter(after["counts"].get("requests_by_kind", {}))
    by_kind.subtract(before["counts"].get("requests_by_kind", {}))
    per_day = requests / businesses / days
    runs = after["results"] - before["results"]
    kafka = after["kafka"] - before["kafka"]
    written = sum(after["docs"].get(n, 0) - before["docs"].get(n, 0) for n in after["docs"])
    say(f"activity: {dict(measured['made'])}; Kafka end offsets {before['kafka']:,} → "
        f"{after['kafka']:,}")
    queued, working = run_times(db, measured["start"])
    say(f"runs requested in the window: {len(queued):,} started; queued p50 "
        f"{statistics.median(queued or [0]):.1f} s, working p50 "
        f"{statistics.median(working or [0]):.2f} s p99 {percentile(working, 0.99):.2f} s "
        f"(wall seconds)")
    say(f"QuickBooks requests: {requests:,} in {WINDOW_HOURS:g} simulated h = "
        f"{per_day:,.0f} per business per day; by kind {dict(+by_kind)}")
    say(f"sync runs finished: {runs:,} = {runs / wall:,.1f} runs/s "
        f"({runs / businesses / days:,.0f} per business per day)")
    say(f"Kafka: {kafka:,} records = {kafka / wall:,.1f} records/s "
        f"({kafka / businesses / days:,.0f} per business per day)")
    say(f"MongoDB (sync-svc): net {written:,} documents = {written / wall:,.1f}/s; "
        f"data+index size {data_size(db) / 2**20:,.1f} MiB for {businesses} businesses")
    backlog = db["runs"].count_documents({"status": {"$in": ["pending", "running"]}})
    say(f"runs still queued or running at the end: {backlog:,}")
    say("timing the production scheduler's roster rescan and a quiet tick")
    rescan, quiet, watched = tick_cost(db)
    say(f"scheduler: roster rescan {rescan:.2f} s ({watched} tenant-kinds watched), a tick "
        f"with nothing due {quiet * 1000:.0f} ms (a rescan every 5 min, a tick every 30 s)")
    figures = [Figure("businesses", businesses, "tenants",
                      ceiling=f"{BUSINESSES} attempted"),
               Figure("scheduler roster rescan", round(rescan, 2), "s",
                      ceiling=f"{watched} tenant-kinds; every 5 min per replica"),
               Figure("scheduler tick, nothing due", round(quiet * 1000), "ms",
                      ceiling="one watermark write; + a read per due tenant"),
               Figure("runs queued at the end", backlog, "runs"),
               Figure("time scale", TIME_SCALE, "x", ceiling=f"{WINDOW_HOURS:g} simulated h"),
               Figure("initial syncs", round(initial_rate, 2), "tenants/s"),
               Figure("one run's working time p50", round(statistics.median(working or [0]),
                                                           2), "s",
                      ceiling=f"p99 {percentile(working, 0.99):.2f} s, {WORKERS} workers x "
                              f"{os.environ.get('SCALE_RUNS_PER_WORKER', '4')} runs"),
               Figure("QuickBooks requests per business per day", round(per_day), "requests"),
               Figure("sync runs", round(runs / wall, 1), "runs/s",
                      ceiling=f"{runs / businesses / days:,.0f} per business per day"),
               Figure("Kafka records", round(kafka / wall, 1), "records/s"),
               Figure("MongoDB documents written (net)", round(written / wall, 1), "docs/s"),
               Figure("MongoDB sync-svc size", round(data_size(db) / 2**20, 1), "MiB")]
    for kind, late in sorted(measured["late"].items()):
        if kind.endswith(" requested"):
            real = [v * TIME_SCALE for v in late]
            say(f"  {kind:<20} p50 {statistics.median(real or [0]):,.1f} s, max "
                f"{max(real or [0]):,.1f} s after due (real-time seconds)")
            figures.append(Figure(f"{kind} after due, max", round(max(real or [0]), 1), "s"))
            continue
        real = [v * TIME_SCALE for v in late if v != float("inf")]
        never = sum(1 for v in late if v == float("inf"))
        worst = max(real) if real else 0.0
        say(f"  {kind:<10} {len(late):>5} slots due: late p50 {statistics.median(real or [0]):,.0f}"
            f" s, p99 {percentile(real, 0.99):,.0f} s, max {worst:,.0f} s (real-time seconds);"
            f" not synced by the end: {never}")
        aim = 600.0 if kind in ("Customer", "Invoice") else None
        figures.append(Figure(f"{kind} sync late p99 (real time)",
                              round(percentile(real, 0.99)), "s",
                              ceiling=f"max {worst:,.0f} s, {never} unsynced",
                              aim="< 600 s" if aim else "",
                              met=(percentile(real, 0.99) < aim and not never) if aim
                              else None))
    record_figures("scale_model", figures)


def main() -> int:
    # SIGTERM (a timeout, a CI cancel) unwinds the ExitStack: workers and sandbox stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    say(f"{BUSINESSES} businesses, schedule x{TIME_SCALE:g}, {WINDOW_HOURS:g} simulated hours "
        f"({WINDOW_HOURS * HOUR / TIME_SCALE:.0f} s), {WORKERS} sync worker(s)")
    infra = choose_infra()
    with ExitStack() as stack:
        stack.callback(infra.stop)
        sandbox = stack.enter_context(running_sandbox(in_subprocess=True))
        conn = KafkaConnection(infra.kafka_bootstrap, f"scale{uuid.uuid4().hex[:8]}.")
        ensure_topics(conn)
        mongo = connect_mongo(infra.mongo_uri)
        auth_db, sync_db = (f"bench_{n}_{secrets.token_hex(4)}" for n in ("auth", "sync"))
        stack.callback(lambda: [mongo.drop_database(n) for n in (auth_db, sync_db)])
        auth = start_auth_service(kafka_bootstrap=infra.kafka_bootstrap,
                                  topic_prefix=conn.topic_prefix, mongo_uri=infra.mongo_uri,
                                  database=auth_db, sandbox=sandbox, extra_env={
                                      # every sign-up comes from this one loopback address
                                      "AUTH_LOGIN_IP_ATTEMPTS_PER_MINUTE": "1000000"})
        stack.callback(auth.close)
        env = sync_env(infra, conn, sync_db, auth, sandbox)

        def start_workers() -> None:
            for _ in range(WORKERS):
                worker = start_worker(env)
                stack.callback(lambda w=worker: (w.terminate(), w.wait(timeout=60)))

        if not CONNECT_FIRST:  # initial syncs start as businesses connect, as in production
            start_workers()
        began = time.monotonic()
        relaying = threading.Event()
        relay = threading.Thread(target=relay_while, args=(auth, relaying), daemon=True)
        if not CONNECT_FIRST:
            relay.start()
        tenants, outcome = connect_all(auth, sandbox)
        say(f"connected {len(tenants)} in {time.monotonic() - began:.0f} s "
            f"({len(tenants) / (time.monotonic() - began):.1f}/s): {dict(outcome)}")
        if CONNECT_FIRST:
            # auth-svc's outbox is relayed once the workers' consumer group is stable: a
            # backlog met while replicas are still joining is read by one consumer while
            # the others wait for its batch to end (a rebalance can only finish then)
            start_workers()
            began = time.monotonic()
            wait_group_stable(conn, "sync-svc")
        else:
            relaying.set()
            relay.join(timeout=60)
        relay_all(auth)
        synced = wait_initial(mongo[sync_db], tenants, began, INITIAL_BUDGET)
        initial = time.monotonic() - began
        say(f"initial syncs: {synced} of {len(tenants)} businesses in {initial:.0f} s"
            + ("" if synced == len(tenants) else " (budget spent: the rest are a backlog)"))
        report(window(sandbox, tenants, mongo[sync_db], conn), synced / initial,
               mongo[sync_db], len(tenants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
