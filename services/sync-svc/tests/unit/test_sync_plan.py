"""What a run reads: segments, modes, CDC windows and keyset paging."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from clientsynq.sync.domain import plan


def test_invoices_are_the_window_every_older_unpaid_one_and_older_ones_paid_lately():
    streams = plan.full_streams("Invoice", date(2025, 7, 15), 365)
    assert [s.where for s in streams] == [
        "TxnDate >= '2024-07-15'", "TxnDate < '2024-07-15' AND Balance > '0'",
        "TxnDate < '2024-07-15' AND Balance = '0' AND "
        "MetaData.LastUpdatedTime >= '2024-07-15T00:00:00Z'"]
    assert [s.by_paid_date for s in streams] == [False, False, True]
    assert plan.page_query(streams[0], 2, 1000).endswith(
        "ORDERBY MetaData.CreateTime STARTPOSITION 2001 MAXRESULTS 1000")


def test_a_cursor_older_than_cdc_can_reach_means_a_full_sync():
    now = datetime(2025, 7, 15, tzinfo=UTC)
    assert plan.choose_mode("incremental", now - timedelta(days=2), now) == "incremental"
    assert plan.choose_mode("incremental", now - timedelta(days=31), now) == "full"
    assert plan.choose_mode("incremental", None, now) == "full"
    assert plan.choose_mode("full", now, now) == "full"


def test_changed_since_overlaps_the_cursor_but_stays_inside_cdcs_window():
    now = datetime(2025, 7, 15, tzinfo=UTC)
    overlap = timedelta(minutes=2)
    assert plan.changed_since(now - timedelta(hours=1), overlap, now) == \
        now - timedelta(hours=1, minutes=2)
    reconcile = plan.changed_since(now, overlap, now, look_back=timedelta(days=1))
    assert reconcile == now - timedelta(days=1)


def test_keyset_paging_reads_the_last_second_again_instead_of_skipping_into_it():
    since, t5, t9 = ("2025-06-01T10:00:00-07:00", "2025-06-01T10:00:05-07:00",
                     "2025-06-01T10:00:09-07:00")
    # Full page ending inside second t5: start again at t5 (its rows may be only some).
    assert plan.next_keyset(since, False, [since, t5, t5], 3) == (t5, False, False)
    assert "STARTPOSITION 1 " in plan.since_query("Invoice", t5, 3)
    assert ">= '2025-06-01T10:00:05-07:00'" in plan.since_query("Invoice", t5, 3)
    # A full page all inside one second: read that second whole, then go past it.
    assert plan.next_keyset(t5, False, [t5, t5, t5], 3) == (t5, True, True)
    assert "> '2025-06-01T10:00:05-07:00'" in plan.since_query("Invoice", t5, 3, strict=True)
    whole = plan.second_stream(plan.since_stream("Customer"), t5, "#ties")
    assert whole.where == ("MetaData.LastUpdatedTime = '2025-06-01T10:00:05-07:00' "
                           "AND Active IN (true, false)")
    # A short page is the end.
    assert plan.next_keyset(t5, True, [t9], 3) == (t5, True, False)


def test_a_keyset_time_that_is_not_a_timestamp_is_refused():
    with pytest.raises(ValueError):
        plan.since_query("Invoice", "2025' OR 1=1", 1000)
    with pytest.raises(ValueError):
        plan.second_stream(plan.since_stream("Invoice"), "2025' OR 1=1", "#ties")


def test_only_a_row_that_left_its_segment_can_hide_another():
    customers, = plan.full_streams("Customer", date(2026, 11, 25), 365)
    recent, unpaid, paid_late = plan.full_streams("Invoice", date(2026, 11, 25), 365)
    assert plan.has_left(customers, {"Active": False})
    assert not plan.has_left(customers, {"Active": True, "PrimaryEmailAddr": {}})
    assert plan.has_left(recent, {"status": "Deleted", "Id": "9"})
    assert not plan.has_left(recent, {"TxnDate": "2026-01-02", "Balance": 0})
    assert plan.has_left(recent, {"TxnDate": "2024-01-02"})
    assert plan.has_left(unpaid, {"TxnDate": "2024-01-02", "Balance": 0})
    assert not plan.has_left(unpaid, {"TxnDate": "2024-01-02", "Balance": "12.50"})
    assert plan.has_left(paid_late, {"TxnDate": "2024-01-02", "Balance": "3.00"})
    assert not plan.has_left(paid_late, {"TxnDate": "2024-01-02", "Balance": 0})


@pytest.mark.parametrize(("payment_dates", "in_scope"), [
    (["2025-06-01"], True),                 # dated 14 months ago, paid last month
    (["2024-06-01"], False),                # paid 13 months ago
    (["2024-06-01", "2024-08-01"], True),   # its last payment is inside the window
    ([], False),                            # settled without a payment (credit, void)
])
def test_an_older_settled_invoice_is_in_scope_only_if_paid_in_the_window(
        payment_dates, in_scope):
    links = [{"TxnId": str(n), "TxnType": "Payment"} for n in range(len(payment_dates))]
    payments = {str(n): {"TxnDate": day} for n, day in enumerate(payment_dates)}
    invoice = {"TxnDate": "2024-05-01", "Balance": 0, "LinkedTxn": links}

    assert plan.paid_within(invoice, payments, "2024-07-15") is in_scope
