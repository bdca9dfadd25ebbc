"""Query use cases: derived values computed at read time, clients held to their customer."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from clientsynq.portal.domain.errors import CommandNotFound, InvoiceNotFound
from clientsynq.portal.domain.model import CompletedSync, RunningSync
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery
from clientsynq.portal.services import queries
from portal_builders import T0, TENANT, a_customer, a_payment, an_invoice, version
from portal_fakes import FixedClock, fake_read_models


def test_an_invoice_turns_overdue_the_day_after_its_due_date_without_any_event():
    clock = FixedClock(datetime(2026, 7, 1, 23, 59, tzinfo=UTC))
    read = fake_read_models(clock)
    read.invoices.apply(an_invoice(due="2026-07-01"), version())
    assert queries.get_invoice(read, TENANT, "101").status == "open"
    clock.now += timedelta(minutes=2)
    assert queries.get_invoice(read, TENANT, "101").status == "overdue"


def test_a_customers_balance_is_the_sum_of_its_open_invoices():
    read = fake_read_models()
    read.customers.apply(a_customer("1", qbo_balance=Decimal("999.00")), version())
    read.invoices.apply(an_invoice("101", balance="60.00"), version())
    read.invoices.apply(an_invoice("102", total="15.50", due="2026-06-01"), version())
    read.invoices.apply(an_invoice("103", balance="0.00"), version())
    read.invoices.apply(an_invoice("104", voided=True), version())
    read.invoices.apply(an_invoice("105", customer_id="2"), version())
    view = queries.get_customer(read, TENANT, "1")
    assert view.balance == Decimal("75.50")
    assert (view.open_invoices, view.overdue_invoices) == (2, 1)
    assert view.invitation_status == "not_invited"
    listed = queries.list_customers(read, TENANT, CustomerQuery()).items
    assert [c.balance for c in listed] == [Decimal("75.50")]


def test_an_invoice_shows_the_payments_applied_to_it():
    read = fake_read_models()
    read.invoices.apply(an_invoice(balance="60.00"), version())
    read.payments.apply(a_payment("501", total="40.00"), version())
    detail = queries.get_invoice(read, TENANT, "101")
    assert detail.status == "partially_paid"
    assert [p.id for p in detail.payments] == ["501"]
    assert detail.amount_paid == Decimal("40.00")


def test_a_client_sees_only_its_own_customers_invoices():
    read = fake_read_models()
    read.invoices.apply(an_invoice("101", customer_id="1"), version())
    read.invoices.apply(an_invoice("102", customer_id="2"), version())
    mine = queries.list_invoices(read, TENANT, InvoiceQuery(), customer_scope="1")
    assert [v.invoice.id for v in mine.items] == ["101"]
    theirs = queries.list_invoices(read, TENANT, InvoiceQuery(customer_id="2"),
                                   customer_scope="1")
    assert theirs.items == ()
    with pytest.raises(InvoiceNotFound):
        queries.get_invoice(read, TENANT, "102", customer_scope="1")


def test_customers_synced_counts_the_active_customers_held_now():
    read = fake_read_models()
    for n in range(3):
        read.customers.apply(a_customer(str(n)), version())
    read.customers.apply(a_customer("9", active=False), version())
    read.sync.record_completed(TENANT, CompletedSync("r", "full", T0, T0, {"Customer": 7}))
    assert queries.get_sync_status(read, TENANT).customers_synced == 3


def test_a_run_whose_end_was_missed_is_not_shown_running_after_a_later_run_ended():
    read = fake_read_models()
    read.sync.record_progress(TENANT, RunningSync("old", T0, 1, 10, reported_at=T0))
    later = T0 + timedelta(hours=1)
    read.sync.record_completed(TENANT, CompletedSync("new", "full", later, later))
    assert not queries.get_sync_status(read, TENANT).is_running


def test_an_unknown_command_is_not_found():
    with pytest.raises(CommandNotFound):
        queries.get_command(fake_read_models(), TENANT, "nope")


def test_connection_before_any_event_is_not_connected():
    assert queries.get_connection(fake_read_models(), TENANT).status == "not_connected"
