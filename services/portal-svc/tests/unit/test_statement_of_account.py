"""A client's statement: opening balance, each invoice and payment with the running balance,
closing balance equal to what they owe at the end of the period."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from clientsynq.portal.domain.errors import InvalidQuery
from clientsynq.portal.services.statement import customer_statement
from portal_builders import TENANT, a_payment, an_invoice, version
from portal_fakes import fake_read_models
from portal_web_harness import Web


@pytest.fixture
def read():
    read = fake_read_models()  # today is 2026-06-15
    for invoice in (an_invoice("C", total="80.00", txn="2026-01-10", due="2026-02-10"),
                    an_invoice("A", total="100.00", balance="0", txn="2026-05-01"),
                    an_invoice("B", total="250.00", balance="150.00", txn="2026-06-01"),
                    an_invoice("X", total="999.00", txn="2026-05-02", customer_id="2")):
        read.invoices.apply(invoice, version())
    read.payments.apply(a_payment("P1", total="100.00", applied={"A": "100.00"},
                                  txn="2026-05-20"), version())
    read.payments.apply(a_payment("P2", total="100.00", applied={"B": "100.00"},
                                  txn="2026-06-10"), version())
    return read


def test_the_running_balance_ends_at_what_the_customer_owes(read):
    found = customer_statement(read, TENANT, "1", date(2026, 4, 1), date(2026, 6, 15))
    assert found.opening == Decimal("80.00")  # invoice C, from before the period
    assert [(line.entity_id, line.balance) for line in found.lines] == [
        ("A", Decimal("180.00")), ("P1", Decimal("80.00")),
        ("B", Decimal("330.00")), ("P2", Decimal("230.00"))]
    assert found.closing == Decimal("230.00") == found.lines[-1].balance


def test_a_period_that_ended_earlier_closes_at_that_days_balance(read):
    found = customer_statement(read, TENANT, "1", date(2026, 4, 1), date(2026, 5, 31))
    assert [line.entity_id for line in found.lines] == ["A", "P1"]
    assert (found.opening, found.closing) == (Decimal("80.00"), Decimal("80.00"))


def test_periods_outside_the_twelve_months_held_are_refused(read):
    with pytest.raises(InvalidQuery):
        customer_statement(read, TENANT, "1", date(2025, 1, 1), date(2026, 6, 1))


def test_the_statement_page_shows_only_the_clients_own_activity():
    web = Web()
    web.read.invoices.apply(an_invoice("A", total="100.00", txn="2026-06-01"), version())
    web.read.invoices.apply(an_invoice("X", total="999.00", txn="2026-06-02",
                                       customer_id="2"), version())
    web.sign_in(TENANT, customer_id="1")
    page = web.get("/portal/statement?from=2026-05-01&to=2026-06-15").data.decode()
    assert '/portal/invoices/A"' in page and "999.00" not in page
    assert '<td class="num" id="closing">100.00</td>' in page
