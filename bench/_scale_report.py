"""The scale model's last phase: what the window measured, per slot lateness, the
scheduler's own costs, printed and recorded for make bench's table."""
from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from _results import Figure, percentile
from _results import record as record_figures
from _scale_settings import (
    BUSINESSES,
    INTERVALS,
    TIME_SCALE,
    WINDOW_HOURS,
    WORKERS,
    say,
    utc,
)
from clientsynq.sync.domain.schedule import slot_start
from pymongo.errors import PyMongoError


def data_size(db: Any) -> float:
    try:
        stats = db.command("dbStats")
        return float(stats.get("dataSize", 0)) + float(stats.get("indexSize", 0))
    except PyMongoError:  # a server without dbStats: the size is then unknown
        return 0.0


def lateness(db: Any, window_start: datetime) -> dict[str, list[float]]:
    """Per kind: seconds from a scheduled slot falling due to the next sync result of that
    tenant (a sync merged into another run is done when that run is)."""
    results: dict[str, list[datetime]] = {}
    for doc in db["run_results"].find({"finished_at": {"$gte": window_start}},
                                      {"tenant_id": 1, "finished_at": 1}):
        results.setdefault(doc["tenant_id"], []).append(utc(doc["finished_at"]))
    for finished in results.values():
        finished.sort()
    late: dict[str, list[float]] = {}
    for claim in db["schedule_claims"].find({"created_at": {"$gte": window_start},
                                             "_outbox": {"$exists": True}}):
        tenant_id, kind, _, slot = claim["_id"].rsplit("|", 3)
        # the slot was cut with the configured (fractional) interval, not the id's int()
        due = datetime.fromtimestamp(
            slot_start(tenant_id, kind, max(1.0, INTERVALS[kind] / TIME_SCALE), int(slot)), UTC)
        after = [f for f in results.get(tenant_id, []) if f >= utc(claim["created_at"])]
        late.setdefault(kind, []).append((after[0] - due).total_seconds() if after
                                         else float("inf"))
        # the scheduler's own share: due → requested (the rest is the queue and the run)
        late.setdefault(f"{kind} requested", []).append(
            (utc(claim["created_at"]) - due).total_seconds())
    return late


def run_times(db: Any, since: datetime) -> tuple[list[float], list[float]]:
    """Per run finished since `since`: seconds queued (requested → started) and working
    (started → finished)."""
    queued, working = [], []
    finished = {doc["_id"]: utc(doc["finished_at"]) for doc in db["run_results"].find(
        {"finished_at": {"$gte": since}}, {"finished_at": 1})}  # one scan, not one a run
    for run in db["runs"].find({"created_at": {"$gte": since}, "started_at": {"$ne": None}},
                               {"created_at": 1, "started_at": 1, "_id": 1}):
        queued.append((utc(run["started_at"]) - utc(run["created_at"])).total_seconds())
        if run["_id"] in finished:
            working.append((finished[run["_id"]] - utc(run["started_at"])).total_seconds())
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


def report(measured: dict[str, Any], initial_rate: float, db: Any, businesses: int) -> None:
    say("window closed: reading lateness per slot (one scan of results and claims)")
    measured = {**measured, "late": lateness(db, measured["start"])}
    # rates per second divide by the time between the two readings of the counters (the
    # window plus the readings themselves), not by the window alone, which overstated them
    wall = measured["span"]
    days = wall * TIME_SCALE / 86400  # simulated days the counters span
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
    say(f"counters read {wall:,.0f} s apart (a {measured['wall']:,.0f} s window); rates divide "
        "by that")
    say(f"QuickBooks requests: {requests:,} in {days * 24:.3g} simulated h = "
        f"{per_day:,.0f} per business per day; by kind {dict(+by_kind)}")
    say(f"sync runs finished: {runs:,} = {runs / wall:,.1f} runs/s "
        f"({runs / businesses / days:,.0f} per business per day)")
    say(f"Kafka: {kafka:,} records = {kafka / wall:,.1f} records/s "
        f"({kafka / businesses / days:,.0f} per business per day)")
    say(f"MongoDB (sync-svc): net {written:,} documents = {written / wall:,.1f}/s; "
        f"data+index size {data_size(db) / 2**20:,.1f} MiB for {businesses} businesses")
    backlog = measured["backlog"]
    say(f"runs still queued or running at the end: {backlog:,} (read 30 s after the window, "
        "before the workers stopped)")
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
