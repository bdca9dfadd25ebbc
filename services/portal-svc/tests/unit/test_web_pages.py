"""The business app and client portal pages render what the read models hold, and refuse
what their visitor may not see (another business's or customer's invoice answers 404)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.portal.domain.model import (
    CompletedSync,
    ConnectionState,
    FailedSync,
    RunningSync,
)
from portal_builders import OTHER_TENANT, TENANT, a_customer, an_invoice, version
from portal_web_harness import Web

AT = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)


@pytest.fixture
def web() -> Iterator[Web]:
    web = Web()
    yield web
    web.close()


def connected(web: Web, company: str = "Sandbox Plumbing") -> None:
    web.read.connections.apply(ConnectionState(TENANT, "connected", AT, "9130", company))


def test_a_visitor_without_a_session_is_sent_to_log_in_and_back(web):
    answer = web.get("/invoices?status=open")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/login?next=%2Finvoices%3Fstatus%3Dopen"
    assert b'data-try-refresh="/invoices?status=open"' in web.get(answer.headers["Location"]).data


def test_log_in_never_redirects_to_another_site(web):
    assert b'data-next="/"' in web.get("/login?next=//evil.example/x").data


def test_not_connected_shows_the_green_connect_button_and_the_scopes(web):
    web.sign_in(TENANT, plan="basic")
    page = web.get("/settings/quickbooks").data.decode()
    assert 'class="qbo">Connect to QuickBooks</button>' in page
    assert "Invoices (read-only for Basic)" in page and "Bank accounts" in page


def test_connected_shows_the_check_company_last_sync_and_customers_synced(web):
    web.sign_in(TENANT)
    connected(web)
    for cid in ("1", "2", "3"):
        web.read.customers.apply(a_customer(cid), version())
    web.read.sync.record_progress(TENANT, RunningSync("r1", AT))
    web.read.sync.record_completed(TENANT, CompletedSync("r1", "full", AT, AT, {"Customer": 3}))
    page = web.get("/settings/quickbooks").data.decode()
    assert "Connected to QuickBooks" in page and "Sandbox Plumbing" in page
    assert '<dd id="customers-synced">3</dd>' in page
    assert '<time datetime="2026-06-15T11:00:00.000Z">Jun 15, 2026 11:00 UTC</time>' in page
    assert "3 customers, 0 invoices and 0 payments" in page
    assert "Sync Now" in page and "Disconnect" in page


def test_a_running_sync_shows_its_progress(web):
    web.sign_in(TENANT)
    connected(web)
    web.read.sync.record_progress(TENANT, RunningSync("r1", AT, done=40, expected=120,
                                                      entity="Invoice", reported_at=AT))
    page = web.get("/settings/quickbooks").data.decode()
    assert "Sync in progress" in page and 'max="120" value="40"' in page
    assert "Syncing invoices: 40 of 120 records" in page
    later = AT + timedelta(seconds=1)
    web.read.sync.record_progress(TENANT, RunningSync("r1", AT, done=1, entity="Payment",
                                                      reported_at=later))
    assert "Syncing payments: 1 record<" in web.get("/settings/quickbooks").data.decode()


def test_a_failed_sync_says_why_and_what_to_do(web):
    web.sign_in(TENANT)
    connected(web)
    web.read.sync.record_progress(TENANT, RunningSync("r1", AT))
    web.read.sync.record_failed(TENANT, FailedSync("r1", "qbo_unavailable", "503", AT, AT))
    page = web.get("/settings/quickbooks").data.decode()
    assert "Connection Failed" in page and "Wait 5 minutes" in page


def test_an_expired_authorization_offers_reconnect(web):
    web.sign_in(TENANT)
    web.read.connections.apply(ConnectionState(TENANT, "authorization_expired", AT, "9130",
                                               "Sandbox Plumbing", "invalid_grant"))
    page = web.get("/settings/quickbooks").data.decode()
    assert "Authorization Expired" in page and ">Reconnect</button>" in page


def test_a_member_sees_no_connect_or_disconnect(web):
    web.sign_in(TENANT, role="member")
    connected(web)
    page = web.get("/settings/quickbooks").data.decode()
    assert "Disconnect</button>" not in page and "Only an owner or admin" in page


def test_customers_without_email_carry_the_warning_and_no_invite(web):
    web.sign_in(TENANT)
    web.read.customers.apply(a_customer("1", name="Ann"), version())
    web.read.customers.apply(a_customer("2", name="Bob", email=()), version())
    page = web.get("/customers").data.decode()
    assert "No email in QuickBooks" in page
    assert page.count("Invite to portal") == 1


def test_invite_to_portal_asks_auth_svc_and_records_the_invitation(web):
    web.sign_in(TENANT)
    web.read.customers.apply(a_customer("1", name="Ann"), version())
    answer = web.post("/customers/1/invite")
    assert answer.status_code == 303
    assert web.deps.auth_client.sent == [(TENANT, "1", "c1@example.com")]
    assert web.deps.invitation_ledger.rows[0]["status"] == "invited"


def test_a_post_from_another_site_is_refused_and_changes_nothing(web):
    web.sign_in(TENANT)
    web.read.customers.apply(a_customer("1"), version())
    for origin in ("http://evil.example", None):
        assert web.post("/customers/1/invite", origin=origin).status_code == 403
    assert web.deps.auth_client.sent == []


def test_another_businesss_invoice_is_not_found(web):
    web.read.invoices.apply(an_invoice("101", tenant_id=OTHER_TENANT), version())
    web.sign_in(TENANT)
    answer = web.get("/invoices/101")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "not yours to see" in answer.data.decode()
    assert web.get("/live/invoice/101").mimetype == "application/problem+json"


def test_the_invoice_page_shows_lines_terms_due_date_and_balance(web):
    web.sign_in(TENANT)
    web.read.invoices.apply(an_invoice("101", total="250.00", balance="100.00",
                                       terms="Net 30"), version())
    page = web.get("/invoices/101").data.decode()
    assert "Net 30" in page and "Jul 01, 2026" in page and "100.00 USD" in page
    assert "Partially paid" in page and "Work" in page


def test_a_client_sees_only_their_own_invoices(web):
    web.read.invoices.apply(an_invoice("101", customer_id="1"), version())
    web.read.invoices.apply(an_invoice("102", customer_id="2"), version())
    web.sign_in(TENANT, customer_id="1")
    listing = web.get("/portal").data.decode()
    assert 'data-invoice="101"' in listing and 'data-invoice="102"' not in listing
    assert web.get("/portal/invoices/101").status_code == 200
    assert web.get("/portal/invoices/102").status_code == 404


def test_a_client_cannot_open_business_pages(web):
    web.sign_in(TENANT, customer_id="1")
    assert web.get("/customers").status_code == 303


def test_basic_clients_see_no_pay_action(web):
    web.read.invoices.apply(an_invoice("101", customer_id="1"), version())
    web.sign_in(TENANT, plan="basic", customer_id="1")
    assert b">Pay</button>" not in web.get("/portal/invoices/101").data


def test_a_form_posted_after_the_session_lapsed_returns_to_its_page_after_log_in(web):
    answer = web.client.post("/customers/1/invite", headers={
        "Origin": "http://localhost", "Referer": "http://localhost/customers?q=ann"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/login?next=%2Fcustomers"
