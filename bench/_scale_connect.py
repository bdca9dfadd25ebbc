"""The scale model's first phase: connect the businesses through auth-svc, start the
sync workers, and wait for the initial syncs (within their budgets)."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from _infra import ROOT, progress
from _scale_settings import (
    BUSINESSES,
    CONNECT_BUDGET,
    CONNECT_THREADS,
    HOUR,
    INITIAL_BUDGET,
    INTERVALS,
    PROFILE_DIR,
    SIZES,
    TIME_SCALE,
    WORKER_PROCESSES,
    say,
)
from clientsynq.common.kafka import KafkaConnection
from kafka import KafkaAdminClient
from pymongo.errors import PyMongoError
from qbo_fixtures import connect_new_tenant, free_port
from qbo_sandbox.control import ControlError


def sizes_for(count: int) -> list[tuple[str, int, int, int]]:
    """`count` company shapes in SIZES' proportions (rounding's shortfall made up with the
    commonest size: 250 businesses rounded to 249 shapes and the connect phase failed)."""
    out: list[tuple[str, int, int, int]] = []
    for name, (share, customers, invoices, payments) in SIZES.items():
        out += [(name, customers, invoices, payments)] * max(1, round(share * count))
    commonest = max(SIZES, key=lambda name: SIZES[name][0])
    out += [(commonest, *SIZES[commonest][1:])] * (count - len(out))
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


def stop_workers() -> None:
    """SIGTERM to every worker at once, then wait for each (one at a time, each finishing
    its runs in flight, was part of the teardown's time)."""
    for worker in WORKER_PROCESSES:
        worker.terminate()
    for worker in WORKER_PROCESSES:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


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
