"""Faults tests ask for: the next N matching requests answer 500/503/429, are slow, or lose
their answer.

`shape` picks another body for the status (XML 401, HTML gateway page, 403 code 120,
6190, a Fault inside a 200; see fault_shapes); `hang` never answers.
`when="before"` (the default) answers instead of running the request. `when="after"` runs
the request first (a create really happens) and then replaces its answer with the status,
or with `drop` closes the connection without any answer: the client cannot know whether
its write happened, which is what a retry with `requestid` exists for.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .fault_shapes import check_shape

API_KINDS = ("query", "read", "write", "cdc", "batch", "companyinfo", "send")
OAUTH_KINDS = ("token", "revoke", "userinfo", "authorize", "discovery")
ALL_KINDS = ("any", "api", *API_KINDS, *OAUTH_KINDS)
STATUSES = (500, 502, 503, 504, 429)
WHEN = ("before", "after")
HANG_MS = 130_000


@dataclass
class FaultRule:
    """One injected fault; `remaining` counts down as requests hit it."""

    fault_id: int
    status: int | None
    delay_ms: int
    remaining: int
    realm_id: str | None
    kind: str
    when: str = "before"
    drop: bool = False
    shape: str = "default"
    hang: bool = False

    def matches(self, realm_id: str | None, kind: str) -> bool:
        """Scope by realm (None = any) and by path kind ('api' = any Accounting call)."""
        if self.realm_id is not None and self.realm_id != realm_id:
            return False
        if self.kind == "any":
            return True
        if self.kind == "api":
            return kind in API_KINDS
        return self.kind == kind


def rule_from_dict(fault_id: int, data: dict[str, Any]) -> FaultRule:
    """Validate control-API JSON into a rule."""
    raw_status = data.get("status")
    status = int(raw_status) if raw_status is not None else None
    delay = int(data.get("delay_ms", 0))
    drop, hang = data.get("drop", False) is True, data.get("hang", False) is True
    when = data.get("when") or "before"
    shape = data.get("shape") or "default"
    if shape == "default" and status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    status = check_shape(shape, status)
    if when not in WHEN:
        raise ValueError(f"when must be one of {WHEN}")
    if sum((status is not None, drop, hang)) > 1:
        raise ValueError("give one of status (or shape), drop and hang")
    if hang and when == "after":
        raise ValueError("hang happens before the request runs")
    if status is None and not (drop or hang) and (delay <= 0 or when == "after"):
        raise ValueError("give a status, shape, drop, hang or a delay_ms "
                         "(when=after needs status or drop)")
    kind = data.get("kind") or "any"
    if kind not in ALL_KINDS:
        raise ValueError(f"kind must be one of {ALL_KINDS}")
    return FaultRule(fault_id, status, delay, int(data.get("count", 1)), data.get("realm_id"),
                     kind, when, drop, shape, hang)


class FaultInjector:
    """Rules are tried in the order they were added; the first match is consumed."""

    def __init__(self) -> None:
        # How an injected delay (and the latency options) pass. A test puts a recorder in
        # its place to check the delay asked for without waiting it out (issue 9).
        self.sleep: Callable[[float], None] = time.sleep
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._cleared = threading.Event()

    def hang(self, rule: FaultRule) -> None:
        """Hold a request until the faults are cleared or the rule's time is up (default
        130 s, past Intuit's 120 s request timeout): a server that never answers."""
        with self._lock:
            cleared = self._cleared
        cleared.wait((rule.delay_ms or HANG_MS) / 1000)

    def add(self, data: dict[str, Any]) -> FaultRule:
        """Add a rule from control-API JSON (raises ValueError when invalid)."""
        rule = rule_from_dict(next(self._ids), data)
        with self._lock:
            self._rules.append(rule)
        return rule

    def take(self, realm_id: str | None, kind: str) -> FaultRule | None:
        """The fault for this request, if any; uses up one of its count."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(realm_id, kind):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def list(self) -> list[dict[str, Any]]:
        """Pending rules for the control API."""
        with self._lock:
            return [asdict(r) for r in self._rules]

    def clear(self) -> None:
        """Drop every pending rule."""
        with self._lock:
            self._rules.clear()
            self._cleared.set()
            self._cleared = threading.Event()
