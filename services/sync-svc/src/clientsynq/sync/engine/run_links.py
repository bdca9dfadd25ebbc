"""This run's payment links, kept in memory so invoice pages need no database lookup.

A full invoice segment starts once this run's payments are published (run_plan), so the
links those pages need were just returned by the payment pages. Asking the store for them
cost one `payment_id: {$in: [...]}` find per invoice page, which FerretDB 1.x (it pushes
down only `{_id: <string>}` filters) answers with a scan of the whole collection decoded in
Go: 17-28 s per page under load (docs/benchmarks.md). Here the worker keeps the run's links
by payment id, picks out the ones a raw page mentions (a scan of its bytes, so the page is
still parsed only once, in whichever process publishes it) and sends that small subset
with the page. The store is still asked, for the ids missing here, only when it may know
more than this run: the tenant was synced before, or the run resumed after some payment
pages had been published by another process.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Any

Link = dict[str, Any]
# Every `"TxnId": "..."` in a page: a superset of its invoices' linked payment ids (an id
# of another kind of transaction only picks a link that is then not used).
_TXN_ID = re.compile(rb'"TxnId"\s*:\s*("(?:[^"\\]|\\.)*")')


def mentioned_ids(raw: bytes) -> set[str]:
    """The TxnId strings in a raw QBO page, JSON escapes decoded."""
    return {json.loads(match) for match in _TXN_ID.findall(raw)}


class RunLinks:
    """Links by payment id, newest version kept; shared by the run's page threads."""

    def __init__(self) -> None:
        self._links: dict[str, Link] = {}
        self._lock = threading.Lock()

    def add(self, links: Iterable[Link]) -> None:
        with self._lock:
            for link in links:
                pid = str(link["payment_id"])
                seen = self._links.get(pid)
                if seen is None or str(link.get("updated_at")) >= str(seen.get("updated_at")):
                    self._links[pid] = link

    def among(self, ids: Iterable[str]) -> dict[str, Link]:
        with self._lock:
            return {pid: link for pid in ids if (link := self._links.get(pid)) is not None}

    def __len__(self) -> int:
        with self._lock:
            return len(self._links)
