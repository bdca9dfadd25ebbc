"""The scale model's settings (environment knobs, documented in scale_model.py) and the
few helpers every phase uses: one place, so the phases cannot disagree on them."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from datetime import UTC, datetime

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


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Phases:
    """Where the end-to-end time goes: each phase's seconds and the machine's load average
    (1 min, sampled every 10 s) while it ran, printed at the end (docs/capacity.md)."""

    def __init__(self) -> None:
        self.began = self._last = time.monotonic()
        self.done: list[tuple[str, float, list[float]]] = []
        self._load: list[float] = []
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True, name="load-sampler").start()

    def _sample(self) -> None:
        while True:
            self._load.append(os.getloadavg()[0])
            if self._stop.wait(10.0):
                return

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self._load.append(os.getloadavg()[0])
        self.done.append((name, now - self._last, self._load))
        self._last, self._load = now, []

    def print(self) -> None:
        self._stop.set()
        say(f"end to end {time.monotonic() - self.began:.0f} s; by phase (load average, "
            "1 min, min-max while it ran):")
        for name, seconds, load in self.done:
            say(f"  {name:<38} {seconds:6.0f} s   load {min(load):.1f}-{max(load):.1f}")
