"""Pro creates an invoice from a form checked like the command it becomes; Basic cannot."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from clientsynq.portal.domain.model import ConnectionState
from portal_builders import TENANT, a_customer, version
from portal_web_harness import Web

AT = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)
FORM = {"customer_id": "1", "txn_date": "2026-06-15", "due_date": "2026-07-15",
        "description": ["Boiler service", ""], "quantity": ["3", "1"],
        "unit_price": ["120.333", ""]}


@pytest.fixture
def web() -> Iterator[Web]:
    web = Web()
    web.read.connections.apply(ConnectionState(TENANT, "connected", AT, "9130", "Sandbox Co"))
    web.read.customers.apply(a_customer("1", name="Ann"), version())
    yield web
    web.close()


def test_a_pro_invoice_is_requested_with_exact_line_amounts_and_shows_pending(web):
    web.sign_in(TENANT, plan="pro")
    answer = web.post("/invoices/new", FORM)
    assert answer.status_code == 303
    [event] = web.read.commands.outbox
    assert event["data"]["lines"] == [{"description": "Boiler service", "quantity": "3",
                                       "unit_price": "120.333", "amount": "361.00",
                                       "item_id": None}]
    assert "Pending: QuickBooks is creating" in web.get(answer.headers["Location"]).data.decode()


def test_a_due_date_before_the_invoice_date_is_explained_and_nothing_is_sent(web):
    web.sign_in(TENANT, plan="pro")
    answer = web.post("/invoices/new", {**FORM, "due_date": "2026-06-01"})
    assert answer.status_code == 422 and "due date" in answer.data.decode()
    assert web.read.commands.outbox == []


def test_basic_sees_why_and_cannot_post(web):
    web.sign_in(TENANT, plan="basic")
    assert b"Create invoice</a>" not in web.get("/invoices").data
    assert web.get("/invoices/new").status_code == 403
    assert web.post("/invoices/new", FORM).status_code == 403
    assert web.read.commands.outbox == []
