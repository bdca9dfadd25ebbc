"""Change Data Capture and batch: /v3/company/{realmId}/cdc and /batch."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, g, request

from . import ties, timefmt
from .api_accounting import json_body, replayable
from .batch_scope import BatchScope
from .errors import QboFault, ThrottleExceeded, required_missing
from .http_util import qbo_json, sandbox, tie_shuffler
from .query_exec import run_query
from .query_policy import parse_checked
from .rules.operations import apply_write
from .store import CompanyStore, Entity

bp = Blueprint("cdc_batch", __name__)

CDC_TYPES = ("Customer", "Invoice", "Payment", "Item", "Term", "PaymentMethod")
CDC_MAX_OBJECTS = 1000
CDC_MAX_DAYS = 30
BATCH_MAX_ITEMS = 30


@bp.get("/v3/company/<realm_id>/cdc")
def cdc(realm_id: str) -> Response:
    """Changes since a time (at most 30 days back), grouped per entity, deleted ones last."""
    names = _cdc_entities(request.args.get("entities", ""))
    since_text = request.args.get("changedSince")
    if not since_text:
        raise required_missing("changedSince")
    try:
        since = timefmt.parse_time(since_text)
    except ValueError as err:
        raise QboFault("4000", "Error processing CDC request",
                       f"Invalid changedSince value {since_text}") from err
    if since < timefmt.now() - timedelta(days=CDC_MAX_DAYS):
        raise QboFault("4000", "Error processing CDC request",
                       f"Operation cdc with changedSince date {since_text} which is older "
                       "than fixed days is not supported.")
    options = sandbox().options
    groups = changed_groups(g.company, names, timefmt.canonical_time(since_text),
                            g.company.cdc_cut_order or options.cdc_cut_order, tie_shuffler())
    g.rows = sum(group["maxResults"] for group in groups) or 1
    return qbo_json({"CDCResponse": [{"QueryResponse": groups}]})


def changed_groups(store: CompanyStore, names: list[str], since: str,
                   cut_order: str = "oldest_first",
                   shuffle: random.Random | None = None) -> list[dict[str, Any]]:
    """Changes per entity until 1000 objects in all; active then deleted in each group.

    `since` is a `timefmt.canonical_time` key (UTC text). Where the cut falls is an option
    (QBO's order is unconfirmed): "oldest_first" takes the oldest changes across live and
    deleted objects; "live_first" takes live objects (oldest first) before any deletion
    stub. Objects changed in the same second are ordered by Id, or shuffled.
    """
    key = timefmt.sort_key
    remaining = CDC_MAX_OBJECTS
    groups: list[dict[str, Any]] = []
    with store.lock:
        for name in names:
            live = _changed(store.entities[name].values(), since, shuffle)
            deleted = _changed(store.deleted[name].values(), since, shuffle)
            if cut_order == "live_first":
                taken = (live + deleted)[:remaining]
            else:
                both = sorted(live + deleted, key=lambda e: key(e["MetaData"]["LastUpdatedTime"]))
                taken = both[:remaining]
            remaining -= len(taken)
            rows = [e for e in taken if "status" not in e] + [e for e in taken if "status" in e]
            group: dict[str, Any] = {name: rows} if rows else {}
            groups.append({**group, "startPosition": 1, "maxResults": len(rows)})
    return groups


def _changed(rows: Iterable[Entity], since: str,
             shuffle: random.Random | None) -> list[Entity]:
    """Rows changed at or after `since`, oldest first (ties by Id, or shuffled)."""
    def when(e: Entity) -> str:
        return timefmt.sort_key(e["MetaData"]["LastUpdatedTime"])
    changed = sorted((e for e in rows if when(e) >= since),
                     key=lambda e: (when(e), int(e["Id"])))
    return changed if shuffle is None else ties.shuffled_runs(changed, when, shuffle)


def _cdc_entities(raw: str) -> list[str]:
    if not raw.strip():
        raise required_missing("entities")
    by_lower = {t.lower(): t for t in CDC_TYPES}
    names = []
    for part in raw.split(","):
        name = by_lower.get(part.strip().lower())
        if name is None:
            raise QboFault("4000", "Error processing CDC request",
                           f"Entity {part.strip()} is not supported by CDC")
        names.append(name)
    return names


@bp.post("/v3/company/<realm_id>/batch")
def batch(realm_id: str) -> Response:
    """Up to 30 items run one after another; HTTP 200 even when items fail.

    No item sees what an earlier item of the same batch created (see batch_scope).
    """
    items = json_body().get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise required_missing("BatchItemRequest")
    if len(items) > BATCH_MAX_ITEMS:
        raise QboFault("6000", "A business validation error has occurred while processing "
                       "your request", f"Business Validation Error: a batch may hold at most "
                       f"{BATCH_MAX_ITEMS} items, got {len(items)}")
    if len(items) > 1 and not sandbox().throttle.add_weight(realm_id, len(items) - 1):
        raise ThrottleExceeded()
    store: CompanyStore = g.company
    g.rows = len(items)

    def run() -> Response:
        scope = BatchScope()
        return qbo_json({"BatchItemResponse": [_run_item(store, item, scope)
                                               for item in items]})
    return replayable(store, run)


def _run_item(store: CompanyStore, item: dict[str, Any], scope: BatchScope) -> dict[str, Any]:
    """One item; a fault goes into its answer and the next item still runs."""
    answer: dict[str, Any] = {"bId": item.get("bId")}
    try:
        if "Query" in item:
            query = parse_checked(item["Query"], sandbox().options)
            answer["QueryResponse"] = run_query(store, query, scope.hidden_ids(query.entity),
                                                tie_shuffler())
            return answer
        entity_type, body = _item_entity(item)
        operation = item.get("operation", "create")
        if item.get("optionsData") == "void" or operation == "void":
            operation = "void"
        scope.check(entity_type, body)
        answer[entity_type] = apply_write(store, entity_type, operation, body)
        if operation == "create":
            scope.record(entity_type, answer[entity_type])
    except QboFault as fault:
        answer["Fault"] = fault.fault_dict()
    return answer


def _item_entity(item: dict[str, Any]) -> tuple[str, Entity]:
    for key, value in item.items():
        if key[:1].isupper() and isinstance(value, dict):
            return key, value
    raise required_missing("entity object in batch item")
