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
kept up with 1,000 businesses at 2 as well, docs/capacity.md), SCALE_WINDOW_HOURS
(default 0.0833: 5 minutes), SCALE_CONNECT_THREADS (16), SCALE_WORKERS (sync worker
processes, default 4), SCALE_RUNS_PER_WORKER (SYNC_MAX_CONCURRENT_RUNS, default 4 as in
production), SCALE_CONNECT_FIRST (default 1: connect every business, then start the
workers), SCALE_INITIAL_BUDGET (seconds from the workers' start the initial syncs get
before the window starts anyway, 180: the rest are the window's backlog),
SCALE_CONNECT_BUDGET (seconds after which no further business starts connecting, 400: the
run goes on with those connected, and every per-business figure divides by how many did).
The defaults bound a run to about 15 minutes whatever the machine (the budgets alone add
up to 910 s); the end prints each phase's seconds with the load average while it ran.
SCALE_PROFILE=<dir> also counts each worker's costs per run in the window, samples them
with py-spy, and times the bench process's own MongoDB commands (auth-svc's) while
connecting (`_scale_commands.py`).

The workers run with production's scheduler and run-history retention, their intervals
(roster rescan, housekeeping) compressed alike; the retention's minimum age is set past
the run's length so the lateness figures still find every result of the window.
"""
from __future__ import annotations

import logging
import secrets
import signal
import sys
import threading
import time
import uuid
from contextlib import ExitStack

from _infra import ROOT, choose_infra
from _scale_settings import (
    BUSINESSES,
    CONNECT_FIRST,
    HOUR,
    INITIAL_BUDGET,
    PROFILE_DIR,
    TIME_SCALE,
    WINDOW_HOURS,
    WORKERS,
    Phases,
    say,
)

sys.path.insert(0, str(ROOT / "tests" / "support"))

import _scale_commands
from _scale_connect import (
    connect_all,
    relay_all,
    relay_while,
    start_worker,
    stop_workers,
    sync_env,
    wait_group_stable,
    wait_initial,
)
from _scale_report import report
from _scale_window import window
from clientsynq.common.kafka import KafkaConnection, ensure_topics
from clientsynq.common.mongo import connect_mongo
from qbo_fixtures import start_auth_service
from qbo_sandbox.testing import running_sandbox


def main() -> int:
    # SIGTERM (a timeout, a CI cancel) unwinds the ExitStack: workers and sandbox stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    say(f"{BUSINESSES} businesses, schedule x{TIME_SCALE:g}, {WINDOW_HOURS:g} simulated hours "
        f"({WINDOW_HOURS * HOUR / TIME_SCALE:.0f} s), {WORKERS} sync worker(s)")
    if PROFILE_DIR:
        _scale_commands.watch()
    phases = Phases()
    infra = choose_infra()
    phases.mark(f"infrastructure ({infra.kind})")
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
        phases.mark("sandbox, topics, auth-svc")

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
        phases.mark("connecting")
        if PROFILE_DIR:
            _scale_commands.report("connecting")
        if CONNECT_FIRST:
            # auth-svc's outbox is relayed once the workers' consumer group is stable: a
            # backlog met while replicas are still joining is read by one consumer while
            # the others wait for its batch to end (a rebalance can only finish then)
            start_workers()
            began = time.monotonic()
            wait_group_stable(conn, "sync-svc")
            phases.mark("workers start, consumer group joins")
        else:
            relaying.set()
            relay.join(timeout=60)
        relay_all(auth)
        phases.mark("auth-svc outbox relayed")
        synced = wait_initial(mongo[sync_db], tenants, began, INITIAL_BUDGET)
        initial = time.monotonic() - began
        say(f"initial syncs: {synced} of {len(tenants)} businesses in {initial:.0f} s"
            + ("" if synced == len(tenants) else " (budget spent: the rest are a backlog)"))
        phases.mark("initial syncs (budget or all done)")
        measured = window(sandbox, tenants, mongo[sync_db], conn, phases)
        # the figures are read once the workers stop: the window's end plus the pause for
        # its last slots is the cutoff, and the report's reads do not queue behind theirs
        stop_workers()
        phases.mark("workers stopped")
        report(measured, synced / initial, mongo[sync_db], len(tenants))
        phases.mark("report")
    phases.mark("teardown (auth-svc, sandbox, databases, infrastructure)")
    phases.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
