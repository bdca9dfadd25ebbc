"""SCALE_PROFILE: the bench process's own MongoDB commands (auth-svc runs in it), timed by
command, collection and the filter's field names, so the connect phase's costs show which
lookups grow with the number of businesses (on FerretDB 1.x every filter without `_id` is
a scan). Printed when the connect phase ends; pymongo's command monitoring, no patching."""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from _scale_settings import say
from pymongo import monitoring

_lock = threading.Lock()
_started: dict[int, tuple[str, float]] = {}
_seconds: Counter[str] = Counter()
_count: Counter[str] = Counter()


def _shape(command: dict[str, Any], name: str) -> str:
    target = command.get(name)
    where = target if isinstance(target, str) else "-"
    query = command.get("filter") or command.get("query") or {}
    if name in ("update", "delete") and command.get("updates" if name == "update"
                                                    else "deletes"):
        query = (command.get("updates") or command.get("deletes"))[0].get("q") or {}
    fields = ",".join(sorted(query)) if isinstance(query, dict) else "?"
    return f"{name} {where} {{{fields}}}"


class _Timer(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        with _lock:
            _started[event.request_id] = (_shape(event.command, event.command_name),
                                          time.monotonic())

    def _ended(self, event: Any) -> None:
        with _lock:
            shape, began = _started.pop(event.request_id, ("?", time.monotonic()))
            _seconds[shape] += time.monotonic() - began
            _count[shape] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._ended(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._ended(event)


def watch() -> None:
    """Before any client is made: later clients report their commands here."""
    monitoring.register(_Timer())


def report(label: str, top: int = 15) -> None:
    with _lock:
        seconds, count = Counter(_seconds), Counter(_count)
        _seconds.clear()
        _count.clear()
    say(f"{label}: the bench process's MongoDB commands, by time ({sum(count.values()):,} "
        f"commands, {sum(seconds.values()):,.0f} s summed over threads)")
    for shape, spent in seconds.most_common(top):
        say(f"  {spent:8.1f} s {count[shape]:7,} x {spent / count[shape] * 1000:7.1f} ms  "
            f"{shape}")
