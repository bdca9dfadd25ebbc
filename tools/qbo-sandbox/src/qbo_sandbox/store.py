"""One company's data: entities by type and id, deletion stubs, versions and id counters.

Stored entity dicts are never mutated: every change puts a new dict (copy on write). That
lets views take references under the lock and serialize them after releasing it, so a
1000-row page does not hold up writers while it is encoded.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

Entity = dict[str, Any]


class ChangeListener(Protocol):
    """Told of every user-visible change; `deleted_id` is the merged-away id of a Merge."""

    def __call__(self, realm_id: str, entity: str, entity_id: str, operation: str,
                 when: str, /, deleted_id: str | None = None) -> None: ...

TRANSACTION_TYPES = ("Invoice", "Payment")
NAME_LIST_TYPES = ("Customer", "Item", "Term", "PaymentMethod")
ENTITY_TYPES = ("Customer", "Invoice", "Payment", "Item", "Term", "PaymentMethod",
                "CompanyInfo")


@dataclass(frozen=True)
class StoreRules:
    """Business-rule options (SandboxOptions) the write rules consult."""

    line_amount_check: bool = True  # Amount must equal Qty x UnitPrice (6070)
    compute_tax: bool = False  # ignore a sent TotalTax, compute it (automated sales tax)
    void_shape: str = "zeroed"  # see rules/voids.py


class CompanyStore:
    """All data of one realm, guarded by one re-entrant lock."""

    def __init__(self, realm_id: str, name: str) -> None:
        self.rules = StoreRules()
        self.realm_id = realm_id
        self.name = name
        self.shuffle_ties = False  # this company's ties reshuffled per request (an option)
        self.cdc_cut_order: str | None = None  # this company's, over the sandbox's option
        self.lock = threading.RLock()
        self.entities: dict[str, dict[str, Entity]] = {t: {} for t in ENTITY_TYPES}
        self.deleted: dict[str, dict[str, Entity]] = {t: {} for t in ENTITY_TYPES}
        self.versions: Counter[str] = Counter()
        self.next_ids: Counter[str] = Counter()
        self.query_cache: dict[tuple[Any, ...], tuple[int, list[Entity]]] = {}
        self._listeners: list[ChangeListener] = []

    @contextmanager
    def locked(self) -> Iterator[CompanyStore]:
        """Hold the company lock for a read-modify-write."""
        with self.lock:
            yield self

    def add_listener(self, listener: ChangeListener) -> None:
        """Called as (realm, entity, id, operation, last_updated, deleted_id=None) on every
        user-visible change."""
        self._listeners.append(listener)

    def new_id(self, entity_type: str) -> str:
        """Transactions share one id sequence (TxnId), as in QBO; name lists have their own."""
        sequence = "txn" if entity_type in TRANSACTION_TYPES else entity_type
        self.next_ids[sequence] += 1
        return str(self.next_ids[sequence])

    def get(self, entity_type: str, entity_id: str) -> Entity | None:
        """The live entity or None (deleted or never existed)."""
        return self.entities[entity_type].get(entity_id)

    def put(self, entity_type: str, entity: Entity) -> None:
        """Store a new version of an entity; invalidates cached query results of its type."""
        self.entities[entity_type][entity["Id"]] = entity
        self.versions[entity_type] += 1

    def remove(self, entity_type: str, entity_id: str, stub: Entity) -> None:
        """Delete an entity, keeping the stub CDC reports after the active objects."""
        del self.entities[entity_type][entity_id]
        self.deleted[entity_type][entity_id] = stub
        self.versions[entity_type] += 1

    def notify(self, entity_type: str, entity_id: str, operation: str, when: str,
               deleted_id: str | None = None) -> None:
        """Tell listeners (the webhook dispatcher) about a change."""
        for listener in self._listeners:
            listener(self.realm_id, entity_type, entity_id, operation, when,
                     deleted_id=deleted_id)

    def counts(self) -> dict[str, int]:
        """Number of live entities per type."""
        with self.lock:
            return {t: len(v) for t, v in self.entities.items()}

    def load(self, entities: dict[str, dict[str, Entity]],
             deleted: dict[str, dict[str, Entity]] | None = None) -> None:
        """Bulk-load generated or persisted data (replaces the types it names)."""
        with self.lock:
            for entity_type, rows in entities.items():
                self.entities[entity_type] = dict(rows)
                self.versions[entity_type] += 1
            for entity_type, rows in (deleted or {}).items():
                self.deleted[entity_type] = dict(rows)
            self._sync_id_counters()

    def _sync_id_counters(self) -> None:
        for entity_type in ENTITY_TYPES:
            ids = [*self.entities[entity_type], *self.deleted[entity_type]]
            numeric = [int(i) for i in ids if i.isdigit()]
            if numeric:
                sequence = "txn" if entity_type in TRANSACTION_TYPES else entity_type
                self.next_ids[sequence] = max(self.next_ids[sequence], max(numeric))
        numbers = [int(d) for i in self.entities["Invoice"].values()
                   if (d := i.get("DocNumber", "")).isdigit()]
        if numbers:
            self.next_ids["DocNumber"] = max(self.next_ids["DocNumber"], max(numbers))

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready copy for the data file."""
        with self.lock:
            return {"realm_id": self.realm_id, "name": self.name,
                    "entities": {t: dict(v) for t, v in self.entities.items()},
                    "deleted": {t: dict(v) for t, v in self.deleted.items()}}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> CompanyStore:
        """Rebuild a store written by `snapshot`."""
        store = cls(data["realm_id"], data["name"])
        store.load(data["entities"], data.get("deleted"))
        return store
