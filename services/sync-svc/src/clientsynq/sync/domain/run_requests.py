"""A request for a sync run: one typed command, built here and only here.

Every producer of runs (Sync Now and the scheduler's `sync.requested`, a new connection, a
webhook, a Pro command's follow-up, a self-healing retry, an Enterprise full resync) asks
for one through a constructor below; the run store keeps `to_doc()`. The run ids derive
from what asked (a UUID5 in the namespaces named here), so the same request delivered
twice is one run; only a request made by a person through the API gets a fresh id.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

INCREMENTAL, FULL = "incremental", "full"


def derived_id(name: str) -> str:
    """The one id namespace of sync-svc (runs, and the events a run reports)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"clientsynq-sync/{name}"))


@dataclass(frozen=True)
class RunRequest:
    run_id: str
    tenant_id: str
    realm_id: str | None
    reason: str
    mode: str
    entities: tuple[str, ...]
    request_ids: tuple[str, ...]
    look_back_seconds: float | None = None
    requested_by: str | None = None
    attempt: int | None = None
    retry_of: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in (INCREMENTAL, FULL):
            raise ValueError(f"unknown sync mode {self.mode!r}")
        if not self.entities:
            raise ValueError("a sync run needs at least one entity")

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "_id": self.run_id, "tenant_id": self.tenant_id, "realm_id": self.realm_id,
            "request_ids": list(self.request_ids), "reason": self.reason, "mode": self.mode,
            "entities": list(self.entities), "look_back_seconds": self.look_back_seconds}
        optional = {"requested_by": self.requested_by, "attempt": self.attempt,
                    "retry_of": self.retry_of}
        return {**doc, **{k: v for k, v in optional.items() if v is not None}}

    @classmethod
    def requested(cls, event_id: str, tenant_id: str, realm_id: str | None,
                  request_id: str, reason: str, mode: str, entities: Iterable[str],
                  look_back_seconds: float | None = None) -> RunRequest:
        """`sync.requested`: Sync Now, the scheduler, a reconcile."""
        return cls(derived_id(f"request/{event_id}"), tenant_id, realm_id, reason, mode,
                   tuple(entities), (request_id,), look_back_seconds)

    @classmethod
    def initial(cls, event_id: str, tenant_id: str, realm_id: str | None, mode: str,
                entities: Iterable[str]) -> RunRequest:
        """A connection made (or made again): `connection.changed`."""
        return cls(derived_id(f"initial/{event_id}"), tenant_id, realm_id, "initial", mode,
                   tuple(entities), (event_id,))

    @classmethod
    def webhook(cls, event_id: str, tenant_id: str, realm_id: str | None,
                notification_id: str, entity: str) -> RunRequest:
        """An Intuit notification whose entity could not be read alone: CDC catches up."""
        return cls(derived_id(f"webhook/{event_id}"), tenant_id, realm_id, "webhook",
                   INCREMENTAL, (entity,), (notification_id,))

    @classmethod
    def follow_up(cls, key: str, tenant_id: str, realm_id: str | None,
                  entities: Iterable[str]) -> RunRequest:
        """What a carried-out command changed, when reading it back failed."""
        return cls(derived_id(key), tenant_id, realm_id, "webhook", INCREMENTAL,
                   tuple(entities), (key,))

    @classmethod
    def retry(cls, run: Mapping[str, Any]) -> RunRequest:
        """The next attempt of a failed run (same request, one attempt more)."""
        return cls(derived_id(f"{run['_id']}/retry"), run["tenant_id"], run.get("realm_id"),
                   run["reason"], run.get("mode") or INCREMENTAL, tuple(run["entities"]),
                   tuple(run.get("request_ids") or ()), run.get("look_back_seconds"),
                   attempt=int(run.get("attempt") or 1) + 1, retry_of=str(run["_id"]))

    @classmethod
    def on_demand(cls, tenant_id: str, realm_id: str | None, reason: str, mode: str,
                  entities: Iterable[str], requested_by: str | None) -> RunRequest:
        """Asked by a person through the API: every ask is its own run."""
        request_id = str(uuid.uuid4())
        return cls(request_id, tenant_id, realm_id, reason, mode, tuple(entities),
                   (request_id,), requested_by=requested_by)
