"""QuickBooks writes a US company's times in Pacific time with the offset of the date
(-08:00 in winter, -07:00 in summer), and its dates are the company's calendar dates. Every
clock here is injected: DST boundaries of 2026 (March 8, November 1)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from clientsynq.sync.domain import plan, snapshots
from clientsynq.sync.domain.qbo_values import company_today, parse_qbo_time, utc_time
from clientsynq.sync.engine.reporting import run_cursors
from clientsynq.sync.engine.streams import qbo_time


@pytest.mark.parametrize(("now", "today"), [
    (datetime(2026, 3, 8, 9, 59, 59, tzinfo=UTC), date(2026, 3, 8)),   # 01:59:59 PST
    (datetime(2026, 3, 9, 7, 30, tzinfo=UTC), date(2026, 3, 9)),       # 00:30 PDT (-08: 8th)
    (datetime(2026, 11, 2, 7, 30, tzinfo=UTC), date(2026, 11, 1)),     # 23:30 PST (-07: 2nd)
    (datetime(2026, 7, 15, 6, 59, tzinfo=UTC), date(2026, 7, 14)),     # 23:59 PDT (UTC: 15th)
])
def test_today_is_the_companys_date_on_either_side_of_daylight_saving(now, today):
    assert company_today(now) == today


def test_an_invoice_due_today_turns_overdue_at_the_companys_midnight_not_utcs():
    invoice = {"Id": "1", "TxnDate": "2026-10-02", "DueDate": "2026-11-01",
               "TotalAmt": Decimal("90.00"), "Balance": Decimal("90.00")}
    evening = company_today(datetime(2026, 11, 2, 7, 59, 59, tzinfo=UTC))  # 23:59:59 PST
    midnight = company_today(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))      # 00:00 PST
    assert snapshots.invoice_status(invoice, evening) == "open"
    assert snapshots.invoice_status(invoice, midnight) == "overdue"


def test_the_history_window_starts_on_the_companys_date():
    cutoff = plan.full_streams("Invoice", company_today(
        datetime(2026, 11, 2, 7, 30, tzinfo=UTC)), 365)[0].cutoff
    assert cutoff == "2025-11-01"


def test_the_repeated_november_hour_orders_by_instant():
    first = parse_qbo_time("2026-11-01T01:30:00-07:00")   # PDT, 08:30Z
    second = parse_qbo_time("2026-11-01T01:10:00-08:00")  # PST, 09:10Z
    assert first < second
    assert utc_time("2026-11-01T01:10:00-08:00") == "2026-11-01T09:10:00Z"


@pytest.mark.parametrize(("naive", "utc"), [
    ("2026-01-15T12:00:00", "2026-01-15T20:00:00Z"),
    ("2026-07-15T12:00:00", "2026-07-15T19:00:00Z"),
])
def test_a_qbo_time_without_offset_is_read_in_the_companys_zone(naive, utc):
    assert utc_time(naive) == utc


def test_cursors_and_cdc_windows_across_the_fall_back_hour():
    states = {"Invoice_recent": {"entity": "Invoice",
                                 "server_time": "2026-11-01T01:10:00.000-08:00"},
              "Invoice_unpaid": {"entity": "Invoice",
                                 "server_time": "2026-11-01T01:30:00.000-07:00"}}
    planned = type("Planned", (), {"entities": ["Invoice"]})()
    cursor = run_cursors(states, planned)["Invoice"]
    assert cursor == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # the earlier instant
    since = plan.changed_since(cursor, timedelta(minutes=2), cursor + timedelta(hours=3))
    assert qbo_time(since) == "2026-11-01T08:28:00+00:00"  # explicit offset, no ambiguity
