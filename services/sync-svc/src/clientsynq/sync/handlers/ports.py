"""What the handlers need from QuickBooks, defined on the inside (issue 9): the engine's
`Realm` (queries, CDC, reads by id) plus reading one entity and creating one. The QBO
client's `RealmConnection` implements it; handlers never name the adapter."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from clientsynq.sync.engine.ports import Realm


class Company(Realm, Protocol):
    """One tenant's company, as a webhook fetch or a Pro write sees it."""

    def read(self, entity: str, entity_id: str) -> dict[str, Any]: ...

    def create(self, entity: str, payload: Mapping[str, Any], request_id: str,
               attempts: int | None = None) -> dict[str, Any]: ...
