"""Reads that keep related snapshots right when a transaction changes.

- A customer's balance moves when its invoices or payments change, but QBO does not
  necessarily touch the customer's LastUpdatedTime, so CDC and webhooks for customers miss
  it: the customers of changed transactions are read again (`WHERE Id IN`, batched).
- An invoice lists its payments only by id (LinkedTxn); their dates and amounts are read
  from the payments, so a small batch of invoices carries `applied_payments`/`paid_date`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clientsynq.sync.domain.snapshots import linked_payment_ids
from clientsynq.sync.engine.ports import Realm

Entity = dict[str, Any]
# Ids per checkpointed batch (customer balances): its page numbers are stored, so a run
# resumed by another version must cut the same batches.
ID_BATCH = 100
# Ids per read that is not checkpointed by batch (an invoice page's payments): QBO's
# largest answer. `query_ids` POSTs the statement, so no URL limits its length, and a
# thousand ids cost one request of the realm's ten a second instead of ten.
READ_BATCH = 1000


def batches(ids: Iterable[str], size: int = ID_BATCH) -> list[list[str]]:
    ordered = sorted(set(ids))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def read_by_ids(conn: Realm, entity: str, ids: Iterable[str]) -> list[Entity]:
    return [row for chunk in batches(ids, READ_BATCH) for row in conn.query_ids(entity, chunk)]


def payments_of(conn: Realm, invoices: list[Entity]) -> dict[str, Entity]:
    """The payments linked from these invoices, by id (one query per hundred)."""
    ids = [pid for row in invoices for pid in linked_payment_ids(row)]
    return {str(row["Id"]): row for row in read_by_ids(conn, "Payment", ids)}
