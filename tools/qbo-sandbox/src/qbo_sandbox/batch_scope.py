"""What one batch request has created so far: its later items must not see those objects.

Intuit runs the items of a batch one after another, but an item cannot use an object that
another item of the same batch created (Intuit blog 2017). A client that chains items
("create the customer, then its invoice") works against neither real QBO nor this sandbox;
it has to send two batches. Items that name such an object get the 610 Object Not Found
fault a missing object gets, and queries leave those objects out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import not_found
from .store import Entity

REFERENCE_TYPES = {"CustomerRef": "Customer", "ItemRef": "Item", "SalesTermRef": "Term"}


@dataclass
class BatchScope:
    """The (entity type, Id) pairs created by the items run so far."""

    created: set[tuple[str, str]] = field(default_factory=set)

    def check(self, entity_type: str, body: Entity) -> None:
        """610 if the item updates, deletes or references an object of this batch."""
        for key in references(entity_type, body):
            if key in self.created:
                raise not_found(*key)

    def record(self, entity_type: str, entity: Entity) -> None:
        """Remember an object an item created."""
        self.created.add((entity_type, str(entity["Id"])))

    def hidden_ids(self, entity_type: str) -> frozenset[str]:
        """Ids a query item must not return."""
        return frozenset(i for t, i in self.created if t == entity_type)


def references(entity_type: str, body: Entity) -> Iterator[tuple[str, str]]:
    """Every object an item names: its own Id, *Ref values and LinkedTxn entries."""
    if body.get("Id") is not None:
        yield entity_type, str(body["Id"])
    yield from _nested_references(body)


def _nested_references(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for inner in value:
            yield from _nested_references(inner)
        return
    if not isinstance(value, dict):
        return
    for key, inner in value.items():
        if key in REFERENCE_TYPES and isinstance(inner, dict) and inner.get("value"):
            yield REFERENCE_TYPES[key], str(inner["value"])
        elif key == "LinkedTxn" and isinstance(inner, list):
            yield from ((str(link.get("TxnType")), str(link["TxnId"])) for link in inner
                        if isinstance(link, dict) and link.get("TxnId") is not None)
        else:
            yield from _nested_references(inner)
