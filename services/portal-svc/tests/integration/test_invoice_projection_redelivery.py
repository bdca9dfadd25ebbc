"""A projection worker killed between storing an invoice's snapshot and listing it: the
consumer commits after handling, so the same snapshot comes again, and the lists, the
search and the list version must end where the snapshot puts them (not where the
previous version was listed)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from clientsynq.portal.adapters.mongo_invoices import COLLECTION, store_snapshot
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import mongo_read_models
from clientsynq.portal.domain.views import invoice_status
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.readmodels.queries import InvoiceQuery
from portal_builders import T0, TENANT, an_invoice, version
from portal_fakes import FixedClock

pytestmark = pytest.mark.integration
TODAY = date(2026, 6, 15)


@pytest.fixture
def store(read_store: MongoReadStore) -> MongoReadStore:
    return read_store


def _read(store: MongoReadStore) -> ReadModels:
    return mongo_read_models(store, FixedClock(datetime(2026, 6, 15, 12, tzinfo=UTC)))


def _listed(read: ReadModels, *statuses: str, search: str | None = None) -> list[str]:
    query = InvoiceQuery(statuses=statuses, search=search)  # type: ignore[arg-type]
    return [f"{inv.id}:{inv.doc_number}:{invoice_status(inv, TODAY)}"
            for inv in read.invoices.page(TENANT, query, TODAY).items]


def test_a_snapshot_stored_but_not_listed_is_listed_when_it_comes_again(store):
    read = _read(store)
    assert read.invoices.apply(an_invoice(doc_number="OLD-7", due="2026-06-01"), version(T0, 0))
    before = read.invoices.list_version(TENANT)
    paid_at = T0 + timedelta(minutes=5)
    paid = an_invoice(doc_number="NEW-7", balance="0.00", txn="2026-06-03",
                      updated_at=paid_at)
    # What the killed worker did: the snapshot, nothing after it.
    old = store.collection(COLLECTION).find_one({"tenant_id": TENANT})
    assert store_snapshot(store.collection(COLLECTION), paid, version(paid_at, 1), old)
    assert _listed(read, "overdue") == ["101:OLD-7:overdue"]  # the lists lag the snapshot

    # The redelivery: not newer than what is stored, but it finishes the listing.
    assert not read.invoices.apply(paid, version(paid_at, 1))
    assert _listed(read, "overdue") == []
    assert _listed(read, "paid") == _listed(read) == ["101:NEW-7:paid"]
    assert _listed(read, search="NEW-7") == ["101:NEW-7:paid"]
    assert _listed(read, search="OLD-7") == []
    assert read.invoices.list_version(TENANT) != before


def test_an_older_snapshot_changes_nothing_and_a_duplicate_keeps_the_lists(store):
    read = _read(store)
    later = T0 + timedelta(minutes=5)
    assert read.invoices.apply(an_invoice(balance="0.00", updated_at=later), version(later, 1))
    assert not read.invoices.apply(an_invoice(due="2026-06-01"), version(T0, 0))
    assert not read.invoices.apply(an_invoice(balance="0.00", updated_at=later),
                                   version(later, 1))
    assert _listed(read) == _listed(read, "paid") == ["101:101:paid"]
    assert _listed(read, "overdue") == []
