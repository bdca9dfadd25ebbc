"""What the sandbox was asked: a bounded log, and the requestid replay cache."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

LOG_SIZE = 100_000
REPLAY_SIZE = 50_000


class RequestLog:
    """Every request except the control API's own, newest last."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        """Append one request (method, path, realm, status, requestid, time...)."""
        with self._lock:
            self._entries.append({"seq": next(self._seq), **entry})

    def query(self, realm_id: str | None = None, kind: str | None = None,
              after_seq: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """Filtered entries, oldest first, at most `limit` (the newest ones)."""
        with self._lock:
            rows = [e for e in self._entries
                    if e["seq"] > after_seq
                    and (realm_id is None or e.get("realm_id") == realm_id)
                    and (kind is None or e.get("kind") == kind)]
        return rows[-limit:]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a requestid, replayed byte for byte."""

    status: int
    body: bytes
    content_type: str


class ReplayCache:
    """(realm, requestid) -> first response; bounded, oldest forgotten first."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, realm_id: str, request_id: str) -> StoredResponse | None:
        """The stored response for a requestid seen before on this realm."""
        with self._lock:
            return self._items.get((realm_id, request_id))

    def put(self, realm_id: str, request_id: str, response: StoredResponse) -> None:
        """Remember the first response only."""
        with self._lock:
            self._items.setdefault((realm_id, request_id), response)
            while len(self._items) > REPLAY_SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (control API reset)."""
        with self._lock:
            self._items.clear()
