"""One contract, two implementations: the Mongo read models (on the real MongoDB-wire
server) and the in-memory fakes the unit tests use must behave the same."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from clientsynq.portal.adapters import mongo_invoice_search
from clientsynq.portal.adapters.wiring import mongo_read_models
from clientsynq.portal.domain.model import (
    CommandStatus,
    CompletedSync,
    ConnectionState,
    RunningSync,
)
from clientsynq.portal.domain.views import INVOICE_STATUSES, invoice_status
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery, PaymentQuery
from portal_builders import OTHER_TENANT, T0, TENANT, a_customer, a_payment, an_invoice, version
from portal_fakes import FixedClock, fake_read_models

TODAY = date(2026, 6, 15)


@pytest.fixture(params=["fake", pytest.param("mongo", marks=pytest.mark.integration)])
def read(request: pytest.FixtureRequest) -> Iterator[ReadModels]:
    clock = FixedClock(datetime(2026, 6, 15, 12, tzinfo=UTC))
    if request.param == "fake":
        yield fake_read_models(clock)
        return
    yield mongo_read_models(request.getfixturevalue("read_store"), clock)


def test_a_newer_snapshot_replaces_and_an_older_or_repeated_one_does_not(read: ReadModels):
    later = T0 + timedelta(hours=1)
    assert read.invoices.apply(an_invoice(balance="100.00"), version(T0, 0))
    assert read.invoices.apply(an_invoice(balance="60.00", updated_at=later), version(later, 1))
    assert not read.invoices.apply(an_invoice(balance="100.00"), version(T0, 0))
    assert not read.invoices.apply(an_invoice(balance="60.00", updated_at=later),
                                   version(later, 1))
    stored = read.invoices.get(TENANT, "101")
    assert stored is not None and stored.balance == Decimal("60.00")
    assert stored.lines[0].amount == Decimal("100.00")


def test_a_deleted_stub_removes_the_invoice_from_reads(read: ReadModels):
    read.invoices.apply(an_invoice(), version(T0, 0))
    later = T0 + timedelta(minutes=5)
    stub = replace(an_invoice(updated_at=later), deleted=True)
    assert read.invoices.apply(stub, version(later, 999_999_999_999))
    assert read.invoices.get(TENANT, "101") is None
    assert read.invoices.page(TENANT, InvoiceQuery(), TODAY).items == ()


def test_the_list_version_changes_with_every_applied_invoice_of_its_tenant(read: ReadModels):
    """The API's page cache keys on it (`api/page_cache.py`)."""
    empty, other = read.invoices.list_version(TENANT), read.invoices.list_version(OTHER_TENANT)
    assert read.invoices.apply(an_invoice(), version(T0, 0))
    first = read.invoices.list_version(TENANT)
    assert first != empty
    # A repeated snapshot may change it too (the Mongo model lists it again, in case the
    # worker that stored it stopped before listing it: test_invoice_projection_redelivery).
    later = T0 + timedelta(hours=1)
    assert read.invoices.apply(an_invoice(balance="0.00", updated_at=later), version(later, 1))
    assert read.invoices.list_version(TENANT) not in (empty, first)
    assert read.invoices.list_version(OTHER_TENANT) == other


def test_another_tenants_records_are_never_returned(read: ReadModels):
    read.invoices.apply(an_invoice(tenant_id=OTHER_TENANT), version())
    read.customers.apply(a_customer(tenant_id=OTHER_TENANT), version())
    read.payments.apply(a_payment(tenant_id=OTHER_TENANT), version())
    assert read.invoices.get(TENANT, "101") is None
    assert read.invoices.page(TENANT, InvoiceQuery(), TODAY).items == ()
    assert read.invoices.receivables(TENANT, ["1"]) == []
    assert read.customers.get(TENANT, "1") is None
    assert read.customers.count_active(TENANT) == 0
    assert read.payments.for_invoice(TENANT, "101") == []
    assert read.payments.page(TENANT, PaymentQuery()).items == ()


def _status_zoo(read: ReadModels) -> None:
    rows = {
        "1": dict(balance="100.00", due="2026-07-01"),  # open
        "2": dict(balance="100.00", due="2026-06-14"),  # overdue
        "3": dict(balance="40.00", due="2026-07-01"),  # partially paid
        "4": dict(balance="40.00", due="2026-06-01"),  # partially paid and overdue
        "5": dict(balance="0.00", due="2026-06-01"),  # paid
        "6": dict(balance="0.00", voided=True),  # voided
        "7": dict(balance="100.00", due=None),  # open, no due date
        "8": dict(balance="100.00", due="2026-06-15"),  # due today: not yet overdue
    }
    for id, fields in rows.items():
        read.invoices.apply(an_invoice(id, **fields), version())


@pytest.mark.parametrize("status", INVOICE_STATUSES)
def test_the_status_filter_agrees_with_the_derived_status(read: ReadModels, status: str):
    _status_zoo(read)
    page = read.invoices.page(TENANT, InvoiceQuery(statuses=(status,)), TODAY)  # type: ignore[arg-type]
    everything = read.invoices.page(TENANT, InvoiceQuery(), TODAY).items
    expected = {inv.id for inv in everything if invoice_status(inv, TODAY) == status}
    assert {inv.id for inv in page.items} == expected
    assert expected, "each status has at least one invoice in the zoo"


def test_due_date_filters_and_search(read: ReadModels):
    _status_zoo(read)
    read.invoices.apply(an_invoice("9", doc_number="INV-ABC", customer_name="Zoë Lumber"),
                        version())
    before = read.invoices.page(TENANT, InvoiceQuery(due_before=date(2026, 6, 15)), TODAY)
    assert {i.id for i in before.items} == {"2", "4", "5"}
    after = read.invoices.page(TENANT, InvoiceQuery(due_after=date(2026, 6, 30)), TODAY)
    assert {i.id for i in after.items} == {"1", "3", "6", "9"}
    by_number = read.invoices.page(TENANT, InvoiceQuery(search="inv-a"), TODAY)
    by_name = read.invoices.page(TENANT, InvoiceQuery(search="ZOË lum"), TODAY)
    assert [i.id for i in by_number.items] == [i.id for i in by_name.items] == ["9"]
    assert read.invoices.page(TENANT, InvoiceQuery(search=".*"), TODAY).items == ()


def test_search_matches_from_the_start_of_a_word_and_follows_changes(read: ReadModels):
    """Served from word-prefix postings on Mongo: a renamed, paid or deleted invoice is found
    by what it is now, with the status it has today; another tenant's never."""
    def found(q: str, *statuses: str) -> list[str]:
        page = read.invoices.page(TENANT, InvoiceQuery(search=q, statuses=statuses), TODAY)  # type: ignore[arg-type]
        return [i.id for i in page.items]

    read.invoices.apply(an_invoice("1", doc_number="INV-1001", customer_name="Zoë Lumber"),
                        version(T0, 0))
    read.invoices.apply(an_invoice("2", doc_number="INV-1002", customer_name="Lumberjack Ltd"),
                        version(T0, 0))
    read.invoices.apply(an_invoice("3", tenant_id=OTHER_TENANT, doc_number="INV-1003",
                                   customer_name="Zoë Lumber"), version(T0, 0))
    assert found("lumber") == ["2", "1"]
    assert found("umber") == found("zz") == found("inv-2") == []
    assert found("1001") == found("INV-1001 zoë") == found("  Zoë LUM ") == ["1"]
    assert found("lumber", "paid") == []
    later = T0 + timedelta(minutes=1)
    read.invoices.apply(an_invoice("1", doc_number="INV-1001", customer_name="Ash & Co",
                                   balance="0.00", updated_at=later), version(later, 1))
    assert found("lumber") == ["2"] and found("ash") == found("ash", "paid") == ["1"]
    read.invoices.apply(replace(an_invoice("2", updated_at=later), deleted=True),
                        version(later, 2))
    assert found("lumber") == found("lumberjack") == []


def test_a_search_pages_in_list_order_when_a_word_is_in_every_invoice(
        read: ReadModels, monkeypatch: pytest.MonkeyPatch):
    """"inv" is in every number: once its posting is full (12 rows here) the other word
    answers ("001"), or the indexed query when none can ("inv-00"); pages are the same."""
    monkeypatch.setattr(mongo_invoice_search, "CAP", 12)
    for n in range(1, 23):
        read.invoices.apply(an_invoice(str(n), doc_number=f"INV-{n:04d}", txn=f"2026-05-{n:02d}"),
                            version())
    for q, expected in (("inv-00", [str(n) for n in range(22, 0, -1)]),
                        ("inv-001", [str(n) for n in range(19, 9, -1)])):
        seen: list[str] = []
        cursor = None
        while True:
            page = read.invoices.page(TENANT, InvoiceQuery(search=q, cursor=cursor, limit=4),
                                      TODAY)
            seen.extend(inv.id for inv in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected


def test_an_invoice_is_listed_once_where_it_belongs_after_it_moves(read: ReadModels):
    """Paid, redated, voided, deleted: each list holds it exactly where its newest snapshot
    puts it (the Mongo lists keep rows in buckets per date and open/closed class)."""
    def listed(*statuses: str) -> list[tuple[str, str]]:
        page = read.invoices.page(TENANT, InvoiceQuery(statuses=statuses), TODAY)  # type: ignore[arg-type]
        return [(inv.id, invoice_status(inv, TODAY)) for inv in page.items]

    steps = [(dict(balance="100.00", due="2026-06-01"), [("101", "overdue")], []),
             (dict(balance="0.00", txn="2026-06-03"), [], [("101", "paid")]),
             (dict(balance="100.00", txn="2026-06-02", due="2026-07-01"), [("101", "open")], []),
             (dict(balance="0.00", voided=True), [], [("101", "voided")])]
    for n, (fields, unpaid, settled) in enumerate(steps):
        at = T0 + timedelta(minutes=n)
        assert read.invoices.apply(an_invoice(updated_at=at, **fields), version(at, n))
        assert listed("open", "overdue", "partially_paid") == unpaid
        assert listed("paid", "voided") == settled
        assert listed() == unpaid + settled
    gone = T0 + timedelta(hours=1)
    assert read.invoices.apply(replace(an_invoice(updated_at=gone), deleted=True),
                               version(gone, 9))
    assert listed() == listed("paid") == listed("overdue") == []


def test_a_first_page_follows_its_newest_date_as_invoices_arrive_and_leave(read: ReadModels):
    """The Mongo list reads, beside the directory, the bucket of the newest date it last
    saw: a hint only, so a newer date, a date emptied and a row added to the same date all
    show on the very next first page."""
    def first_page() -> list[str]:
        return [inv.id for inv in read.invoices.page(TENANT, InvoiceQuery(limit=2), TODAY).items]

    read.invoices.apply(an_invoice("1", txn="2026-06-01"), version())
    assert first_page() == ["1"]
    read.invoices.apply(an_invoice("2", txn="2026-06-01"), version())
    assert first_page() == ["2", "1"]
    read.invoices.apply(an_invoice("3", txn="2026-06-05"), version())
    assert first_page() == ["3", "2"]
    gone = T0 + timedelta(hours=1)
    read.invoices.apply(replace(an_invoice("3", updated_at=gone), deleted=True), version(gone))
    assert first_page() == ["2", "1"]
    read.invoices.apply(an_invoice("1", txn="2026-06-07", updated_at=gone), version(gone))
    assert first_page() == ["1", "2"]


def test_pages_skip_and_repeat_nothing_while_invoices_are_inserted(read: ReadModels):
    for n in range(1, 26):
        read.invoices.apply(an_invoice(str(n), txn=f"2026-05-{n:02d}"), version())
    seen: list[str] = []
    cursor = None
    inserted = 100
    while True:
        page = read.invoices.page(TENANT, InvoiceQuery(cursor=cursor, limit=4), TODAY)
        seen.extend(inv.id for inv in page.items)
        for day in ("2026-05-01", "2026-05-13", "2026-05-31"):  # before, inside, after
            inserted += 1
            read.invoices.apply(an_invoice(str(inserted), txn=day), version())
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    originals = [s for s in seen if int(s) <= 25]
    assert len(seen) == len(set(seen))
    assert sorted(originals, key=int) == [str(n) for n in range(1, 26)]


def test_customers_list_by_name_with_search_and_active_count(read: ReadModels):
    read.customers.apply(a_customer("2", name="beta Books"), version())
    read.customers.apply(a_customer("10", name="Alpha Art"), version())
    read.customers.apply(a_customer("3", name="Gone Ltd", active=False), version())
    names = [c.display_name for c in read.customers.page(TENANT, CustomerQuery()).items]
    assert names == ["Alpha Art", "beta Books"]
    everyone = read.customers.page(TENANT, CustomerQuery(include_inactive=True, limit=2))
    rest = read.customers.page(TENANT, CustomerQuery(include_inactive=True,
                                                     cursor=everyone.next_cursor))
    assert [c.id for c in everyone.items + rest.items] == ["10", "2", "3"]
    assert [c.id for c in read.customers.page(TENANT, CustomerQuery(search="c2@EX")).items] \
        == ["2"]
    assert read.customers.count_active(TENANT) == 2


def test_customers_synced_follows_the_newest_snapshot_of_each_customer(read: ReadModels):
    later, latest = T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)
    read.customers.apply(a_customer("1"), version(T0, 0))
    read.customers.apply(a_customer("2"), version(T0, 0))
    read.customers.apply(a_customer("1"), version(T0, 0))  # redelivered
    assert read.customers.count_active(TENANT) == 2
    read.customers.apply(a_customer("1", active=False, updated_at=later), version(later, 1))
    read.customers.apply(a_customer("1", updated_at=T0), version(T0, 0))  # stale: ignored
    assert read.customers.count_active(TENANT) == 1
    read.customers.apply(replace(a_customer("2", updated_at=latest), deleted=True),
                         version(latest, 2))
    read.customers.apply(a_customer("9", tenant_id=OTHER_TENANT), version())
    assert read.customers.count_active(TENANT) == 0


def test_payments_are_found_by_the_invoices_they_pay(read: ReadModels):
    read.payments.apply(a_payment("501", applied={"101": "10.00", "102": "5.00"}), version())
    read.payments.apply(a_payment("502", applied={"102": "5.00"}, txn="2026-06-12"), version())
    read.payments.apply(a_payment("503", applied={"101": "1.00"}, voided=True), version())
    assert [p.id for p in read.payments.for_invoice(TENANT, "102")] == ["502", "501"]
    assert [p.id for p in read.payments.for_invoice(TENANT, "101")] == ["501"]
    listed = read.payments.page(TENANT, PaymentQuery(invoice_id="101"))
    assert {p.id for p in listed.items} == {"501", "503"}
    stored = read.payments.get(TENANT, "501")
    assert stored is not None and stored.applied_to[1].amount == Decimal("5.00")


def test_connection_changes_apply_in_time_order(read: ReadModels):
    first = ConnectionState(TENANT, "connected", T0, "r1", "Acme")
    later = ConnectionState(TENANT, "authorization_expired", T0 + timedelta(hours=1), "r1",
                            "Acme", "invalid_grant")
    assert read.connections.apply(later)
    assert not read.connections.apply(first)
    assert read.connections.get(TENANT) == later
    assert read.connections.get(OTHER_TENANT) is None


def test_progress_arriving_after_completion_is_ignored(read: ReadModels):
    start = T0
    assert read.sync.record_progress(TENANT, RunningSync("run1", start, 10, 100,
                                                         reported_at=start))
    done = CompletedSync("run1", "full", start, start + timedelta(minutes=1), {"Customer": 3})
    assert read.sync.record_completed(TENANT, done)
    assert not read.sync.record_progress(TENANT, RunningSync(
        "run1", start, 90, 100, reported_at=start + timedelta(seconds=30)))
    assert not read.sync.record_completed(TENANT, done)
    state = read.sync.get(TENANT)
    assert state.running is None and state.last_completed == done
    assert read.sync.get(OTHER_TENANT).last_completed is None


def test_a_command_settles_once(read: ReadModels):
    pending = CommandStatus(TENANT, "c1", "invoice.create.requested", "pending", T0, "u1",
                            {"customer_id": "1"})
    assert read.commands.add(pending, {"id": "e1", "type": "invoice.create.requested"})  # type: ignore[attr-defined]
    assert not read.commands.add(pending, {"id": "e1"})  # type: ignore[attr-defined]
    ok = replace(pending, state="succeeded", settled_at=T0, entity_id="900", request={})
    assert read.commands.settle(ok)
    assert not read.commands.settle(replace(ok, state="failed", reason="late"))
    stored = read.commands.get(TENANT, "c1")
    assert stored is not None and stored.state == "succeeded" and stored.entity_id == "900"
    assert stored.request == {"customer_id": "1"}
    assert read.commands.get(OTHER_TENANT, "c1") is None
