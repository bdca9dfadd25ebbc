"""Sync runs, their checkpoints and their results, shaped for FerretDB 1.x.

FerretDB 1.x applies a filtered update as read-then-write, so two writers of one document
can lose each other's change; only a unique insert is atomic. Hence:
- a request is a run document inserted once (`runs`); only the holder of the realm's lease
  updates it afterwards, and that lease (insert-based) is what makes a run "ours";
- every checkpoint is its own document (`checkpoints`): a page is an insert, a stream's
  resume state is written only by that stream's thread;
- the outcome is an insert into `run_results` carrying its `sync.completed` /
  `sync.failed` in an outbox, so finishing a run twice still announces it once;
- what the next run of a company starts from (its cursors: the furthest each entity got;
  the names its newest completed run left) is also kept in one summary document per
  company (`realm_summaries`, `_id` = tenant|realm), read by `_id`. Deriving them from
  the company's completed results is a query on `tenant_id` (a scan of every result on
  FerretDB 1.x: 30 % of the run threads' time in the scale model). Only the holder of the
  realm's lease records a result, after its insert, so the summary is never ahead of the
  results; `$max` never moves a cursor back. A company without a summary (results from
  before it existed, or none yet) is read from its results, and its first summary is
  seeded from them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.domain.run_status import (  # noqa: F401 (re-exported)
    COMPLETED,
    FAILED,
    MERGED,
    PENDING,
    RUNNING,
    SKIPPED,
)
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

RUNS, CHECKPOINTS, RESULTS = "runs", "checkpoints", "run_results"
SUMMARIES = "realm_summaries"
STREAM, PAGE = "stream", "page"


def run_indexes() -> dict[str, list[IndexModel]]:
    return {
        RUNS: [IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="claim"),
               IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)],
                          name="tenant")],
        CHECKPOINTS: [IndexModel([("tenant_id", ASCENDING), ("run_id", ASCENDING),
                                  ("kind", ASCENDING)], name="tenant_run")],
        RESULTS: [IndexModel([("tenant_id", ASCENDING), ("finished_at", DESCENDING)],
                             name="tenant"), *outbox_indexes()],
    }


class RunStore:
    def __init__(self, db: Database[Any]) -> None:
        self._runs = db[RUNS]
        self._checkpoints = db[CHECKPOINTS]
        self._results = db[RESULTS]
        self._summaries = db[SUMMARIES]

    # --- requests and claiming -------------------------------------------------------
    def request(self, request: RunRequest | Mapping[str, Any], now: datetime,
                not_before: datetime | None = None) -> str:
        """Queue a run; the same request delivered twice is one run (same `_id`). A plain
        mapping is the stored form itself (tests seeding runs); code builds a RunRequest."""
        doc = request.to_doc() if isinstance(request, RunRequest) else request
        with suppress(DuplicateKeyError):
            self._runs.insert_one({"look_back_seconds": None, **doc, "status": PENDING,
                                   "created_at": now, "not_before": not_before or now,
                                   "started_at": None, "holder": None})
        return str(doc["_id"])

    def candidates(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Runs someone should be doing; the realm lease decides who actually does.

        The one query across tenants, by nature (it is the work queue, like the
        scheduler's scan of connected tenants); everything after it names the tenant."""
        return list(self._runs.find({"status": {"$in": [PENDING, RUNNING]},
                                     "not_before": {"$lte": now}},
                                    sort=[("created_at", ASCENDING)], limit=limit))

    def waiting(self, tenant_id: str) -> list[dict[str, Any]]:
        """Not-yet-started requests of a tenant (for folding into the run about to start)."""
        return list(self._runs.find({"tenant_id": tenant_id, "status": PENDING,
                                     "started_at": None}, sort=[("created_at", ASCENDING)]))

    def get(self, tenant_id: str, run_id: str) -> dict[str, Any] | None:
        return self._runs.find_one({"_id": run_id, "tenant_id": tenant_id})

    # --- writes by the lease holder only ---------------------------------------------
    def update(self, tenant_id: str, run_id: str, fields: Mapping[str, Any]) -> None:
        self._runs.update_one({"_id": run_id, "tenant_id": tenant_id}, {"$set": dict(fields)})

    def mark_merged(self, tenant_id: str, run_id: str, into: str) -> None:
        self.update(tenant_id, run_id, {"status": MERGED, "merged_into": into})

    # --- checkpoints -----------------------------------------------------------------
    def stream_states(self, tenant_id: str, run_id: str) -> dict[str, dict[str, Any]]:
        states: dict[str, dict[str, Any]] = {}
        done: defaultdict[str, list[int]] = defaultdict(list)
        for doc in self._checkpoints.find({"tenant_id": tenant_id, "run_id": run_id}):
            if doc["kind"] == STREAM:
                states.setdefault(doc["stream"], {}).update(doc.get("state") or {})
            else:
                done[doc["stream"]].append(int(doc["page"]))
                if doc.get("edges"):
                    edges = states.setdefault(doc["stream"], {}).setdefault("edges", {})
                    edges[int(doc["page"])] = tuple(doc["edges"])
        for key, pages in done.items():
            states.setdefault(key, {})["done"] = sorted(pages)
        return states

    def save_stream(self, tenant_id: str, run_id: str, key: str,
                    state: Mapping[str, Any]) -> None:
        """Only the stream's own thread writes its state document. On FerretDB an upsert is
        a read, then an insert: if a worker whose lease lapsed under load is still finishing
        the same stream, the insert can meet the other's document (a duplicate key), which
        then takes the update like any later save."""
        where = {"_id": f"{run_id}|{key}", "tenant_id": tenant_id}
        change = {"$set": {"tenant_id": tenant_id, "run_id": run_id, "stream": key,
                           "kind": STREAM, **{f"state.{k}": v for k, v in state.items()}}}
        try:
            self._checkpoints.update_one(where, change, upsert=True)
        except DuplicateKeyError:
            if self._checkpoints.update_one(where, change).matched_count == 0:
                raise  # another tenant's document under this id: never taken over

    def page_done(self, tenant_id: str, run_id: str, key: str, page: int, entity: str,
                  rows: int, customers: list[str] | None = None,
                  edges: tuple[str, str] | None = None) -> None:
        """One insert per page: concurrent pages never touch the same document. `customers`:
        whose invoices or payments the page held (their balances are read again); `edges`:
        its first and last CreateTime (engine.ties, after a resume too)."""
        with suppress(DuplicateKeyError):  # a page re-published after a crash: counted once
            self._checkpoints.insert_one({"_id": f"{run_id}|{key}|{page:08d}",
                                          "tenant_id": tenant_id, "run_id": run_id,
                                          "stream": key, "kind": PAGE, "page": page,
                                          "entity": entity, "rows": rows,
                                          "customers": customers or [],
                                          **({"edges": list(edges)} if edges else {})})

    def stream_rows(self, tenant_id: str, run_id: str) -> dict[str, tuple[str, int]]:
        """Per stream its entity and the rows its pages published."""
        found: dict[str, tuple[str, int]] = {}
        for doc in self._checkpoints.find({"tenant_id": tenant_id, "run_id": run_id,
                                           "kind": PAGE}, {"stream": 1, "entity": 1,
                                                           "rows": 1}):
            entity, rows = found.get(doc["stream"], (doc["entity"], 0))
            found[doc["stream"]] = (entity, rows + int(doc["rows"]))
        return found

    def touched_customers(self, tenant_id: str, run_id: str) -> list[str]:
        found: set[str] = set()
        for doc in self._checkpoints.find({"tenant_id": tenant_id, "run_id": run_id,
                                           "kind": PAGE,
                                           "entity": {"$in": ["Invoice", "Payment"]}},
                                          {"customers": 1}):
            found.update(doc.get("customers") or [])
        return sorted(found)

    def counts(self, tenant_id: str, run_id: str) -> dict[str, int]:
        totals: defaultdict[str, int] = defaultdict(int)
        for doc in self._checkpoints.find({"tenant_id": tenant_id, "run_id": run_id,
                                           "kind": PAGE},
                                          {"entity": 1, "rows": 1}):
            totals[doc["entity"]] += int(doc["rows"])
        return dict(totals)

    # --- results ---------------------------------------------------------------------
    def record_result(self, doc: Mapping[str, Any], envelopes: list[dict[str, Any]]) -> bool:
        """The outcome and its event in one insert; False if the run had one already."""
        try:
            self._results.insert_one({**doc, **outbox_fields(envelopes)})
        except DuplicateKeyError:
            return False
        if doc.get("status") == COMPLETED:
            self._summarise(doc)
        return True

    def _summarise(self, doc: Mapping[str, Any]) -> None:
        """The company's summary after a completed run (see the module's docstring): one
        write, or, for a company without one yet, a summary seeded from its results."""
        tenant_id, realm_id = str(doc["tenant_id"]), doc.get("realm_id")
        where = {"_id": _summary_id(tenant_id, realm_id), "tenant_id": tenant_id}
        cursors = {f"cursors.{k}": v for k, v in (doc.get("cursors") or {}).items()
                   if v is not None}
        change = {"$max": cursors} if cursors else {"$set": {"realm_id": realm_id}}
        if self._summaries.update_one(where, change).matched_count == 0:
            self._seed(where, tenant_id, realm_id, doc)
        elif "names" in doc and doc.get("finished_at") is not None:
            self._summaries.update_one(
                {**where, "$or": [{"names_at": {"$lt": doc["finished_at"]}},
                                  {"names_at": {"$exists": False}}]},
                {"$set": {"names": doc["names"], "names_at": doc["finished_at"]}})

    def _seed(self, where: dict[str, Any], tenant_id: str, realm_id: str | None,
              doc: Mapping[str, Any]) -> None:
        """The company's first summary. A run that synced every entity and left names (an
        initial sync: every company's first completed run) seeds it alone: any older
        result's cursors are older (a cursor can only be too old, which re-reads a little,
        never too new), so the results are read only for what it lacks."""
        own = {k: v for k, v in (doc.get("cursors") or {}).items() if v is not None}
        cursors = own if set(ENTITIES) <= set(own) else {
            **self._cursors_from_results(tenant_id, realm_id, None), **own}
        fields: dict[str, Any] = {"realm_id": realm_id, "cursors": cursors}
        names = ((doc["names"], doc["finished_at"]) if doc.get("names") is not None
                 and doc.get("finished_at") is not None
                 else self._names_from_results(tenant_id, realm_id))
        if names is not None:
            fields.update(names=names[0], names_at=names[1])
        with suppress(DuplicateKeyError):  # only the realm's lease holder writes it
            self._summaries.update_one(where, {"$set": fields}, upsert=True)

    def _summary(self, tenant_id: str, realm_id: str | None) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._summaries.find_one(
            {"_id": _summary_id(tenant_id, realm_id), "tenant_id": tenant_id})
        return found

    def result(self, tenant_id: str, run_id: str) -> dict[str, Any] | None:
        return self._results.find_one({"_id": run_id, "tenant_id": tenant_id}, {"_outbox": 0})

    def last_result(self, tenant_id: str) -> dict[str, Any] | None:
        return self._results.find_one({"tenant_id": tenant_id}, {"_outbox": 0},
                                      sort=[("finished_at", DESCENDING)])

    def active(self, tenant_id: str) -> list[dict[str, Any]]:
        return list(self._runs.find({"tenant_id": tenant_id,
                                     "status": {"$in": [PENDING, RUNNING]}},
                                    sort=[("created_at", ASCENDING)]))

    def last_names(self, tenant_id: str, realm_id: str | None) -> dict[str, Any] | None:
        """The names (terms, payment methods) the company's newest completed run left
        (engine.names): a run on another replica starts from them."""
        summary = self._summary(tenant_id, realm_id)
        if summary is not None:
            found: dict[str, Any] | None = summary.get("names")
            return found
        names = self._names_from_results(tenant_id, realm_id)
        return None if names is None else names[0]

    def _names_from_results(self, tenant_id: str, realm_id: str | None
                            ) -> tuple[dict[str, Any], datetime] | None:
        doc = self._results.find_one({"tenant_id": tenant_id, "realm_id": realm_id,
                                      "status": COMPLETED, "names": {"$exists": True}},
                                     {"names": 1, "finished_at": 1},
                                     sort=[("finished_at", DESCENDING)])
        return None if doc is None else (doc["names"], doc["finished_at"])

    def cursors(self, tenant_id: str, realm_id: str | None, entities: tuple[str, ...]
                ) -> dict[str, datetime]:
        """Per entity the furthest cursor any completed run of this company reached: one
        query over the company's completed results (retention bounds them per tenant;
        no index could serve a sort per entity anyway), not one per entity; or, once the
        company has one, its summary document, read by `_id`."""
        summary = self._summary(tenant_id, realm_id)
        if summary is not None:
            return {entity: cursor for entity, cursor in (summary.get("cursors") or {}).items()
                    if entity in entities and cursor is not None}
        return self._cursors_from_results(tenant_id, realm_id, entities)

    def _cursors_from_results(self, tenant_id: str, realm_id: str | None,
                              entities: tuple[str, ...] | None) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for doc in self._results.find({"tenant_id": tenant_id, "realm_id": realm_id,
                                       "status": COMPLETED},
                                      {f"cursors.{entity}": 1 for entity in entities}
                                      if entities else {"cursors": 1}):
            for entity, cursor in (doc.get("cursors") or {}).items():
                if (entities is None or entity in entities) and cursor is not None and (
                        entity not in found or cursor > found[entity]):
                    found[entity] = cursor
        return found


def first_summary(db: Database[Any], tenant_id: str, realm_id: str) -> None:
    """The empty summary of a company whose tenant sync-svc has never recorded: nothing of
    it can have completed (a run of an unknown tenant is refused), so an empty summary says
    what its results would, and its initial sync reads neither its results at the start nor
    to seed the summary at the end (the scale model: 20.9 % of the run threads' time, a
    scan of every result on FerretDB). One insert; met twice (a redelivered event), kept."""
    with suppress(DuplicateKeyError):
        db[SUMMARIES].insert_one({"_id": _summary_id(tenant_id, realm_id),
                                  "tenant_id": tenant_id, "realm_id": realm_id,
                                  "cursors": {}})


def _summary_id(tenant_id: str, realm_id: str | None) -> str:
    return f"{tenant_id}|{realm_id or ''}"
