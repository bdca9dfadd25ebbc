"""Run a parsed query against a company store: filter, sort, page, count.

Filtering and sorting 100k invoices costs tens of milliseconds, so the matched and sorted
list is cached per (entity, WHERE, ORDERBY) and reused while the entity type's version is
unchanged: paging through a big table sorts once, and each page is a slice.
"""

from __future__ import annotations

import operator
import random
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from . import ties, timefmt
from .errors import query_parse_error, query_validation_error
from .query_parser import Condition, Query
from .store import NAME_LIST_TYPES, CompanyStore, Entity

QUERYABLE = ("Customer", "Invoice", "Payment", "CompanyInfo", "Item", "Term", "PaymentMethod")
CACHE_SIZE = 16
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
Getter = Callable[[Entity], Any]


@dataclass(frozen=True)
class Field:
    """How to read and compare one queryable property."""

    getter: Getter
    kind: str  # id, ref, time, date, number, bool, string


def _path(*keys: str, default: Any = None) -> Getter:
    def get(entity: Entity) -> Any:
        value: Any = entity
        for key in keys:
            if not isinstance(value, dict):
                return default
            value = value.get(key)
        return default if value is None else value
    return get


def _id(entity: Entity) -> int:
    return int(entity["Id"]) if entity["Id"].isdigit() else 0


def _time(key: str) -> Getter:
    """A MetaData time as its UTC sort key (offsets differ under Pacific time)."""
    def get(entity: Entity) -> str:
        text = (entity.get("MetaData") or {}).get(key)
        return timefmt.sort_key(text) if text else ""
    return get


COMMON = {
    "Id": Field(_id, "id"),
    "MetaData.CreateTime": Field(_time("CreateTime"), "time"),
    "MetaData.LastUpdatedTime": Field(_time("LastUpdatedTime"), "time"),
}
TXN = {
    "TxnDate": Field(_path("TxnDate", default=""), "date"),
    "TotalAmt": Field(_path("TotalAmt", default=0), "number"),
    "CustomerRef": Field(_path("CustomerRef", "value", default=""), "ref"),
    "DocNumber": Field(_path("DocNumber", default=""), "string"),
    "PrivateNote": Field(_path("PrivateNote", default=""), "string"),
}
FIELDS: dict[str, dict[str, Field]] = {
    "Customer": {**COMMON, **{name: Field(_path(name, default=""), "string") for name in (
        "DisplayName", "GivenName", "FamilyName", "CompanyName", "FullyQualifiedName")},
        "PrimaryEmailAddr": Field(_path("PrimaryEmailAddr", "Address", default=""), "string"),
        "Active": Field(_path("Active", default=True), "bool"),
        "Job": Field(_path("Job", default=False), "bool"),
        "Balance": Field(_path("Balance", default=0), "number")},
    "Invoice": {**COMMON, **TXN,
                "DueDate": Field(_path("DueDate", default=""), "date"),
                "Balance": Field(_path("Balance", default=0), "number"),
                "EmailStatus": Field(_path("EmailStatus", default=""), "string")},
    "Payment": {**COMMON, **TXN,
                "PaymentRefNum": Field(_path("PaymentRefNum", default=""), "string")},
    "Item": {**COMMON, "Name": Field(_path("Name", default=""), "string"),
             "Type": Field(_path("Type", default=""), "string"),
             "Sku": Field(_path("Sku", default=""), "string"),
             "FullyQualifiedName": Field(_path("FullyQualifiedName", default=""), "string"),
             "Active": Field(_path("Active", default=True), "bool")},
    "Term": {**COMMON, "Name": Field(_path("Name", default=""), "string"),
             "Active": Field(_path("Active", default=True), "bool")},
    "PaymentMethod": {**COMMON, "Name": Field(_path("Name", default=""), "string"),
                      "Type": Field(_path("Type", default=""), "string"),
                      "Active": Field(_path("Active", default=True), "bool")},
    "CompanyInfo": dict(COMMON),
}


def run_query(store: CompanyStore, query: Query,
              hidden: AbstractSet[str] = frozenset(),
              shuffle: random.Random | None = None) -> dict[str, Any]:
    """The QueryResponse object for a statement (without the outer `time`).

    `hidden` Ids are left out before paging and counting: a batch item must not see what
    earlier items of its batch created. With `shuffle`, rows tied on the ORDERBY keys come
    back in a new order each time (ties.py).
    """
    if query.entity not in QUERYABLE:
        raise query_parse_error(f"Invalid entity name: {query.entity} (entity names are "
                                "case sensitive, e.g. Invoice)")
    fields = FIELDS[query.entity]
    with store.lock:
        matched = _matched(store, query, fields)
    if hidden:
        matched = [e for e in matched if e["Id"] not in hidden]
    if query.is_count:
        return {"totalCount": len(matched)}
    start = query.start_position - 1
    if shuffle is not None and query.order:
        getters = [_field(fields, prop).getter for prop, _ in query.order]
        page = ties.page(matched, start, query.max_results,
                         lambda e: tuple(get(e) for get in getters), shuffle)
    else:
        page = matched[start:start + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start_position, "maxResults": len(page)}


def _matched(store: CompanyStore, query: Query, fields: dict[str, Field]) -> list[Entity]:
    conditions = _with_default_active(query)
    key = (query.entity, conditions, query.order)
    version = store.versions[query.entity]
    cached = store.query_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    predicates = [_predicate(fields, c) for c in conditions]
    rows = [e for e in store.entities[query.entity].values()
            if all(p(e) for p in predicates)]
    _sort(rows, fields, query.order)
    if len(store.query_cache) >= CACHE_SIZE:
        store.query_cache.pop(next(iter(store.query_cache)))
    store.query_cache[key] = (version, rows)
    return rows


def _with_default_active(query: Query) -> tuple[Condition, ...]:
    """QBO returns only active name-list objects unless the query filters on Active."""
    if query.entity in NAME_LIST_TYPES and all(c.prop.lower() != "active"
                                               for c in query.conditions):
        return (*query.conditions, Condition("Active", "=", (True,)))
    return query.conditions


def _field(fields: dict[str, Field], prop: str) -> Field:
    """Property names match without regard to case (SDKs write Metadata.LastUpdatedTime)."""
    field = fields.get(prop)
    if field is None:
        field = next((f for name, f in fields.items() if name.lower() == prop.lower()), None)
    if field is None:
        raise query_validation_error(f"property '{prop}' is not queryable")
    return field


def _predicate(fields: dict[str, Field], condition: Condition) -> Callable[[Entity], bool]:
    field = _field(fields, condition.prop)
    get = field.getter
    if condition.op == "LIKE":
        if field.kind != "string":
            raise query_validation_error(f"LIKE is not supported for {condition.prop}")
        pattern = ".*".join(re.escape(p) for p in str(condition.values[0]).split("%"))
        regex = re.compile(f"^{pattern}$", re.IGNORECASE | re.DOTALL)
        return lambda e: regex.match(str(get(e))) is not None
    values = [_coerce(field.kind, v, condition.prop) for v in condition.values]
    if condition.op == "IN":
        allowed = set(values)
        return lambda e: get(e) in allowed
    value = values[0]
    compare: Callable[[Any, Any], bool] = COMPARISONS[condition.op]
    return lambda e: compare(get(e), value)


def _coerce(kind: str, value: str | float | bool, prop: str) -> Any:
    """Turn a literal into the stored representation so comparisons are plain."""
    try:
        if kind == "id":
            return int(float(value)) if not isinstance(value, bool) else int(value)
        if kind == "number":
            return float(value)
        if kind == "ref" and isinstance(value, float) and value.is_integer():
            return str(int(value))
        if kind == "bool":
            return value if isinstance(value, bool) else str(value).lower() == "true"
        if kind == "time":
            return timefmt.canonical_time(str(value))
        if kind == "date":
            return str(value)[:10]
        return str(value)
    except ValueError as err:
        raise query_validation_error(f"invalid value {value!r} for property '{prop}'") from err


def _sort(rows: list[Entity], fields: dict[str, Field], order: tuple[tuple[str, bool], ...]
          ) -> None:
    """ORDERBY, last key first (stable sorts); no ORDERBY means ascending Id."""
    keys = order or (("Id", False),)
    for prop, descending in reversed(keys):
        rows.sort(key=_field(fields, prop).getter, reverse=descending)
