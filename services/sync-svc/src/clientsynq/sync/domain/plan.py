"""What a sync run reads from QBO: full segments, CDC, or keyset paging by LastUpdatedTime.

Pure decisions; the engine executes them. Full syncs page with STARTPOSITION ordered by
`MetaData.CreateTime`: it never changes, so an update made while we page does not move a
row between pages (ordering by LastUpdatedTime would, and Intuit is withdrawing Id as a
sort key; QBO's grammar has one ORDERBY key). QBO promises no order among rows created in
the same second (bulk imports make hundreds), so where two pages meet inside one second
that second is read again whole (engine.ties).

QBO's query language has no OR, so "unpaid invoices, and invoices paid in the last 12
months" is three disjoint segments: dated in the window (paid ones were paid after
their date, so in it); older and unpaid; older, settled and changed since the window
began — a superset of "paid in the window" (applying a payment updates the invoice) that
`paid_within` narrows to the exact set by the dates of the linked payments.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

ENTITIES = ("Customer", "Invoice", "Payment")
CDC_MAX_AGE = timedelta(days=30)
# Keep clear of CDC's 30-day edge: a run that starts just inside it must not end outside.
CDC_SAFETY = timedelta(hours=6)
FULL, INCREMENTAL = "full", "incremental"
PAGES, CDC, SINCE = "pages", "cdc", "since"
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Stream:
    """One ordered source of rows with its own checkpoint in the run document."""

    key: str
    entity: str
    kind: str
    where: str = ""
    cutoff: str = ""  # the history window's first day, for segments bounded by TxnDate
    by_paid_date: bool = False  # rows kept only if paid (last payment dated) since cutoff


def history_cutoff(today: date, history_days: int) -> date:
    return today - timedelta(days=history_days)


def full_streams(entity: str, today: date, history_days: int) -> list[Stream]:
    """Active customers; invoices of the window plus older unpaid ones; payments of the window."""
    cutoff = history_cutoff(today, history_days).isoformat()
    if entity == "Customer":
        return [Stream("Customer_active", entity, PAGES, "Active = true")]
    if entity == "Invoice":
        return [Stream("Invoice_recent", entity, PAGES, f"TxnDate >= '{cutoff}'", cutoff),
                Stream("Invoice_unpaid", entity, PAGES,
                       f"TxnDate < '{cutoff}' AND Balance > '0'", cutoff),
                Stream("Invoice_paid_late", entity, PAGES,
                       f"TxnDate < '{cutoff}' AND Balance = '0' AND "
                       f"MetaData.LastUpdatedTime >= '{cutoff}T00:00:00Z'", cutoff,
                       by_paid_date=True)]
    if entity == "Payment":
        return [Stream("Payment_recent", entity, PAGES, f"TxnDate >= '{cutoff}'", cutoff)]
    raise ValueError(f"unknown entity {entity!r}")


def has_left(stream: Stream, row: Mapping[str, Any]) -> bool:
    """Is this changed row now outside the full segment `stream` pages? A row leaving moves
    every later row up one position; rows that stay or enter cannot hide another row."""
    if row.get("status") == "Deleted":
        return True
    if stream.key == "Customer_active":
        return row.get("Active") is False
    txn_date = str(row.get("TxnDate", ""))
    balance = Decimal(str(row.get("Balance", 0)))
    if stream.key.startswith("Invoice_unpaid"):
        return txn_date >= stream.cutoff or balance <= 0
    if stream.key.startswith("Invoice_paid_late"):
        return txn_date >= stream.cutoff or balance > 0
    return txn_date < stream.cutoff  # Invoice_recent, Payment_recent


def cdc_stream(entity: str) -> Stream:
    return Stream(f"{entity}_cdc", entity, CDC)


def since_stream(entity: str) -> Stream:
    """The fallback when CDC hits its 1000-object cap: keyset paging by LastUpdatedTime."""
    return Stream(f"{entity}_since", entity, SINCE)


def choose_mode(requested: str, cursor: datetime | None, now: datetime) -> str:
    """Incremental needs a cursor CDC can still reach; otherwise only a full sync is exact."""
    if requested == FULL or cursor is None:
        return FULL
    return FULL if now - cursor > CDC_MAX_AGE - CDC_SAFETY else INCREMENTAL


def changed_since(cursor: datetime, overlap: timedelta, now: datetime,
                  look_back: timedelta | None = None) -> datetime:
    """The overlap re-reads the last moments before the cursor: QBO commits are not
    instantaneous, and a re-read is harmless (consumers keep the newer snapshot)."""
    since = cursor - overlap
    if look_back is not None:
        since = min(since, now - look_back)
    return max(since, now - CDC_MAX_AGE + CDC_SAFETY)


def page_query(stream: Stream, page: int, page_size: int) -> str:
    """Page numbers start at 0; STARTPOSITION at 1."""
    # Statements are built only from our own constants and validated values, never from
    # user input; QBO's query language has no parameters to bind instead.
    return (f"SELECT * FROM {stream.entity} WHERE {stream.where} "  # noqa: S608
            f"ORDERBY MetaData.CreateTime STARTPOSITION {page * page_size + 1} "
            f"MAXRESULTS {page_size}")


def edge_query(stream: Stream, page: int, page_size: int) -> str:
    """The last row of page `page - 1` and the first of page `page` (their CreateTimes are
    the same whatever order QBO gives rows within one second)."""
    return (f"SELECT * FROM {stream.entity} WHERE {stream.where} "  # noqa: S608
            f"ORDERBY MetaData.CreateTime STARTPOSITION {page * page_size} MAXRESULTS 2")


def tie_stream(stream: Stream, instant: str, suffix: str) -> Stream:
    """The rows of `stream` created in the second `instant` (a QBO timestamp)."""
    if not _TIME_RE.fullmatch(instant):
        raise ValueError(f"not a QBO timestamp: {instant!r}")
    return Stream(f"{stream.key}{suffix}", stream.entity, stream.kind,
                  f"{stream.where} AND MetaData.CreateTime = '{instant}'", stream.cutoff,
                  stream.by_paid_date)


def count_query(stream: Stream) -> str:
    return f"SELECT COUNT(*) FROM {stream.entity} WHERE {stream.where}"  # noqa: S608


def since_query(entity: str, since: str, page_size: int, strict: bool = False) -> str:
    """Rows changed at or after `since` (after it, when `strict`: that second was read
    whole), oldest first, from the first row: the previous page's last second is read
    again rather than skipped by a count, as QBO orders rows of one second differently on
    every request (a skip would miss some of them and repeat others).

    Customers need `Active IN (true, false)`: a name-list query otherwise returns only
    active ones, and a customer made inactive is exactly the change we must not miss.
    """
    if not _TIME_RE.fullmatch(since):
        raise ValueError(f"not a QBO timestamp: {since!r}")
    where = f"MetaData.LastUpdatedTime {'>' if strict else '>='} '{since}'"
    if entity == "Customer":
        where += " AND Active IN (true, false)"
    return (f"SELECT * FROM {entity} WHERE {where} ORDERBY MetaData.LastUpdatedTime "  # noqa: S608
            f"STARTPOSITION 1 MAXRESULTS {page_size}")


def second_stream(stream: Stream, instant: str, suffix: str) -> Stream:
    """Every row of `stream`'s entity changed in the second `instant` (read whole)."""
    if not _TIME_RE.fullmatch(instant):
        raise ValueError(f"not a QBO timestamp: {instant!r}")
    where = f"MetaData.LastUpdatedTime = '{instant}'"
    if stream.entity == "Customer":
        where += " AND Active IN (true, false)"
    return Stream(f"{stream.key}{suffix}", stream.entity, SINCE, where)


def next_keyset(since: str, strict: bool, page_times: list[str], page_size: int
                ) -> tuple[str, bool, bool]:
    """After a page: (since, strict, read_second_whole). A full page starts the next one at
    its last second (its rows there may be only some of that second's); a full page all
    inside one second cannot move on that way, so that second is read whole and the next
    page starts after it. A short page was the end (nothing changes)."""
    if len(page_times) < page_size or not page_times:
        return since, strict, False
    first, last = page_times[0], page_times[-1]
    if first == last:
        return last, True, True
    return last, False, False


def paid_within(invoice: Mapping[str, Any], payments: Mapping[str, Mapping[str, Any]],
                cutoff: str) -> bool:
    """Settled by a payment dated on or after `cutoff` (its last payment's TxnDate)."""
    dates = [str(payments[pid].get("TxnDate", "")) for pid in _payment_ids(invoice)
             if pid in payments]
    return bool(dates) and max(dates) >= cutoff


def _payment_ids(invoice: Mapping[str, Any]) -> list[str]:
    return [str(link.get("TxnId")) for link in invoice.get("LinkedTxn") or []
            if link.get("TxnType") == "Payment"]
