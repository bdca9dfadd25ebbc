"""Sync Now and Pay from the pages: pending until QuickBooks answers, refusals in plain
words on the page they came from, nothing saved when refused (Basic, amounts, forgeries)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from clientsynq.portal.domain.model import ConnectionState
from portal_builders import TENANT, a_customer, an_invoice, version
from portal_web_harness import Web

AT = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)


@pytest.fixture
def web() -> Iterator[Web]:
    web = Web()
    web.read.connections.apply(ConnectionState(TENANT, "connected", AT, "9130", "Sandbox Co"))
    web.read.customers.apply(a_customer("1"), version())
    web.read.invoices.apply(an_invoice("101", customer_id="1", total="250.00",
                                       balance="250.00"), version())
    yield web
    web.close()


def outbox(web: Web) -> list:
    return web.read.commands.outbox


def test_a_pro_client_pays_and_the_invoice_says_pending(web):
    web.sign_in(TENANT, plan="pro", customer_id="1")
    answer = web.post("/portal/invoices/101/pay", {"amount": "100.50"})
    assert answer.status_code == 303
    [event] = outbox(web)
    assert event["data"]["amount"] == "100.50" and event["data"]["source"] == "portal"
    assert event["data"]["applied_to"] == [{"invoice_id": "101", "amount": "100.50"}]
    page = web.get(answer.headers["Location"]).data.decode()
    assert "payment of 100.50 is pending" in page


@pytest.mark.parametrize("amount, says", [
    ("0", "more than 0"), ("-5", "more than 0"), ("abc", "as a number"),
    ("10.001", "two decimals"), ("250.01", "above its balance"), ("NaN", "more than 0")])
def test_a_wrong_amount_is_refused_in_plain_words_and_nothing_is_sent(web, amount, says):
    web.sign_in(TENANT, plan="pro", customer_id="1")
    answer = web.post("/portal/invoices/101/pay", {"amount": amount})
    assert answer.status_code in (400, 422)
    assert says in answer.data.decode()
    assert outbox(web) == []


def test_basic_cannot_pay_even_by_posting_directly(web):
    web.sign_in(TENANT, plan="basic", customer_id="1")
    answer = web.post("/portal/invoices/101/pay", {"amount": "10.00"})
    assert answer.status_code == 403 and "read-only" in answer.data.decode()
    assert outbox(web) == []


def test_another_customers_invoice_cannot_be_paid(web):
    web.read.invoices.apply(an_invoice("102", customer_id="2"), version())
    web.sign_in(TENANT, plan="pro", customer_id="1")
    assert web.post("/portal/invoices/102/pay", {"amount": "10.00"}).status_code == 404
    assert outbox(web) == []


def test_a_forged_pay_from_another_site_is_refused(web):
    web.sign_in(TENANT, plan="pro", customer_id="1")
    answer = web.post("/portal/invoices/101/pay", {"amount": "10.00"},
                      origin="https://evil.example")
    assert answer.status_code == 403 and outbox(web) == []


def test_sync_now_is_requested_once_and_a_second_click_is_explained(web):
    web.sign_in(TENANT, plan="basic")
    assert web.post("/settings/quickbooks/sync").status_code == 303
    again = web.post("/settings/quickbooks/sync")
    assert again.status_code == 409 and "requested a moment ago" in again.data.decode()
    assert len(web.deps.api.commands.sync_requests.outbox) == 1


def live_page_of(html: str) -> str:
    found = re.search(r'data-live-page="([^"]*)"', html)
    assert found, "a live page names where its regions are re-read"
    return found.group(1)


def test_a_refused_sync_now_page_keeps_following_the_state_from_its_get_address(web):
    """The refusal is shown at the form's POST address; the page's live regions must be
    re-read from /settings/quickbooks (a GET of the POST address answers 405, and the
    page froze on "Sync in progress" while the run failed: the browser story, in CI)."""
    web.sign_in(TENANT, plan="basic")
    web.post("/settings/quickbooks/sync")
    again = web.post("/settings/quickbooks/sync")
    assert again.status_code == 409
    page = live_page_of(again.data.decode())
    assert page == "/settings/quickbooks"
    assert web.get(page).status_code == 200
    assert web.get("/settings/quickbooks/sync").status_code == 405  # why it matters


def test_a_refused_payment_page_keeps_following_the_invoice_from_its_get_address(web):
    web.sign_in(TENANT, plan="pro", customer_id="1")
    refused = web.post("/portal/invoices/101/pay", {"amount": "250.01"})
    assert refused.status_code in (400, 422)
    page = live_page_of(refused.data.decode())
    assert page == "/portal/invoices/101"
    assert web.get(page).status_code == 200


def test_a_live_page_read_by_get_is_re_read_from_its_own_address(web):
    web.sign_in(TENANT, plan="basic")
    assert live_page_of(web.get("/settings/quickbooks").data.decode()) == "/settings/quickbooks"
    web.sign_in(TENANT, plan="pro", customer_id="1")
    paid = web.post("/portal/invoices/101/pay", {"amount": "10.00"})
    followed = web.get(paid.headers["Location"]).data.decode()
    assert live_page_of(followed) == paid.headers["Location"]
