"""The sync worker with its per-run costs counted: `python bench/_profiled_worker.py <file>`.

Used by `scale_model.py` when SCALE_PROFILE names a directory. The worker is the real one
(`clientsynq.sync.worker.main`); this wrapper only watches it, so the figures are a
profile's, not a test's:
- every MongoDB command, by the thread group that sent it (a run's own threads, the
  scheduler, the outbox relay, the Kafka consumer …), command and collection (pymongo's
  command monitoring);
- QuickBooks requests by kind (the worker's own Prometheus counter), auth-svc calls,
  Kafka publishes, and the runs this process finished, by reason and outcome.
SIGUSR1 starts counting afresh (the scale model sends it when its window opens, so the
initial syncs are left out); SIGUSR2 writes what was counted since to `<file>` (JSON).
"""
from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import Counter
from typing import Any

from pymongo import monitoring

GROUPS = (("sync-run-", "run"), ("stream", "run"), ("pages-", "run"), ("lease-", "run lease"),
          ("sync-scheduler", "scheduler"), ("sync-outbox", "outbox relay"),
          ("sync-housekeeping", "housekeeping"), ("sync-commands", "commands"),
          ("MainThread", "consumer"))
_lock = threading.Lock()
_mongo: Counter[str] = Counter()
_calls: Counter[str] = Counter()
_runs: list[dict[str, Any]] = []
_since = time.monotonic()


def group_of(name: str) -> str:
    return next((group for prefix, group in GROUPS if name.startswith(prefix)), "other")


class _Commands(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        where = target if isinstance(target, str) else "-"
        key = f"{group_of(threading.current_thread().name)}|{event.command_name}|{where}"
        with _lock:
            _mongo[key] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _count(name: str) -> None:
    with _lock:
        _calls[name] += 1


def _wrap(owner: Any, attribute: str, name: str) -> None:
    original = getattr(owner, attribute)

    def counted(*args: Any, **kwargs: Any) -> Any:
        _count(name)
        return original(*args, **kwargs)

    setattr(owner, attribute, counted)


def _watch_runs() -> None:
    from clientsynq.sync.engine.runner import Held, SyncRunner

    original = SyncRunner.try_run

    def timed(self: SyncRunner, run: dict[str, Any]) -> str | Held:
        started = time.monotonic()
        outcome = original(self, run)
        if not isinstance(outcome, Held):  # Held: the realm was another run's
            with _lock:
                _runs.append({"reason": run.get("reason"), "mode": run.get("mode"),
                              "entities": run.get("entities"), "outcome": outcome,
                              "seconds": round(time.monotonic() - started, 3)})
        return outcome

    SyncRunner.try_run = timed  # type: ignore[method-assign]


def _qbo_requests() -> Counter[str]:
    from prometheus_client import REGISTRY

    found: Counter[str] = Counter()
    for family in REGISTRY.collect():
        if family.name == "clientsynq_sync_qbo_requests":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    found[sample.labels["kind"]] += int(sample.value)
    return found


_qbo_at_reset: Counter[str] = Counter()


def _reset(*_: Any) -> None:
    global _since, _qbo_at_reset
    with _lock:
        _mongo.clear()
        _calls.clear()
        _runs.clear()
        _since = time.monotonic()
    _qbo_at_reset = _qbo_requests()


def _dump(path: str) -> None:
    qbo = _qbo_requests()
    qbo.subtract(_qbo_at_reset)
    with _lock:
        report = {"seconds": round(time.monotonic() - _since, 1), "mongo": dict(_mongo),
                  "calls": dict(_calls), "qbo": dict(+qbo), "runs": list(_runs)}
    with open(path, "w") as out:
        json.dump(report, out, indent=1)


def main(path: str) -> None:
    monitoring.register(_Commands())
    from clientsynq.common.kafka import EventProducer
    from clientsynq.sync.adapters.token_client import TokenClient
    from clientsynq.sync.worker import main as worker_main

    _wrap(TokenClient, "_call", "auth-svc call")
    _wrap(EventProducer, "publish", "Kafka publish")
    _watch_runs()
    signal.signal(signal.SIGUSR1, _reset)
    signal.signal(signal.SIGUSR2, lambda *_: _dump(path))
    worker_main()


if __name__ == "__main__":
    main(sys.argv[1])
