"""A Pro business creates an invoice in QuickBooks from a form and a team member joins by
the mailed link; a Basic business and its
client see no write action and their direct POSTs are refused; another business's or
another customer's invoice URL answers 404, as an unknown one does."""
from __future__ import annotations

import re
import uuid

import pytest
from browser_kit import PHONE
from browser_stack import PASSWORD
from playwright.sync_api import expect
from sandbox_reader import SandboxReader
from story_steps import (
    a_client_with_invoices,
    change_plan,
    connect,
    expect_connected,
    invite,
    open_invitation,
    sign_up,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def connected_business(stack, browser, company: dict, plan: str):
    context = browser.new_context(base_url=stack.gateway_url)
    page = context.new_page()
    sign_up(page, business=f"{company['name']} owner")
    if plan != "basic":
        change_plan(stack, page, plan)
    connect(page, stack, company["realm_id"])
    reader = SandboxReader(stack.sandbox, company["realm_id"])
    expect_connected(page, company["name"], len(reader.active_customers()))
    return context, page, reader


def test_basic_is_read_only_and_strangers_get_not_found(stack, browser, checker):
    big = stack.control.create_company(customers=6, invoices=30, payments=4, seed=31,
                                       name="Big Pro Builders")
    small = stack.control.create_company(customers=4, invoices=10, payments=2, seed=32,
                                         name="Small Basic Cafe")
    pro_context, pro_page, pro_reader = connected_business(stack, browser, big, "pro")
    create_an_invoice(pro_page, pro_reader, checker)
    a_team_member_joins(stack, browser, pro_page, checker)
    basic_context, basic_page, basic_reader = connected_business(stack, browser, small, "basic")
    checker.check(basic_page, "quickbooks-connected-basic")
    a_failed_sync_is_explained(stack, basic_page, small["realm_id"], checker)

    customer, invoices = a_client_with_invoices(basic_reader)
    link = invite(basic_page, stack, customer["Id"], customer["PrimaryEmailAddr"]["Address"])
    client_context = browser.new_context(base_url=stack.gateway_url, viewport=PHONE)
    portal = client_context.new_page()
    open_invitation(portal, link)
    open_invoice = next(i for i in invoices if float(i["Balance"]) > 0)
    portal.goto(f"/portal/invoices/{open_invoice['Id']}")
    expect(portal.locator("#invoice-status")).to_be_visible()
    expect(portal.get_by_role("button", name="Pay")).to_have_count(0)
    checker.check(portal, "portal-invoice-basic")
    before = len(basic_reader.payments_of(customer["Id"]))
    refused = portal.request.post(f"/portal/invoices/{open_invoice['Id']}/pay",
                                  form={"amount": "1.00"},
                                  headers={"Origin": stack.gateway_url})
    assert refused.status == 403 and "read-only" in refused.text()

    # Unpaid invoices always sync (older paid ones may be outside the 12-month window).
    strangers = sorted({i["Id"] for i in pro_reader.rows("Invoice") if float(i["Balance"]) > 0}
                       - {i["Id"] for i in basic_reader.rows("Invoice")})
    assert strangers, "the two companies must differ in invoice ids for this test"
    assert basic_page.goto(f"/invoices/{strangers[0]}").status == 404
    assert portal.goto(f"/portal/invoices/{strangers[0]}").status == 404
    others = sorted({i["Id"] for i in basic_reader.rows("Invoice")} - {i["Id"] for i in invoices})
    assert portal.goto(f"/portal/invoices/{others[0]}").status == 404
    assert pro_page.goto(f"/invoices/{strangers[0]}").status == 200
    assert len(basic_reader.payments_of(customer["Id"])) == before
    basic_page.goto("/invoices")
    expect(basic_page.get_by_role("link", name="Create invoice")).to_have_count(0)
    refused = basic_page.request.post("/invoices/new", headers={"Origin": stack.gateway_url},
                                      form={"customer_id": customer["Id"], "description": "x",
                                            "quantity": "1", "unit_price": "5"})
    assert refused.status == 403
    for context in (client_context, basic_context, pro_context):
        context.close()


def create_an_invoice(page, reader, checker) -> None:
    """Pending until QuickBooks confirms, then the real invoice with its number and lines."""
    customer = reader.active_customers()[0]
    page.goto("/invoices")
    page.get_by_role("link", name="Create invoice").click()
    checker.check(page, "invoice-new")
    page.get_by_label("Customer", exact=True).select_option(customer["Id"])
    page.get_by_label("Description 1").fill("Emergency call-out")
    page.locator("#quantity-0").fill("2")
    page.locator("#unit_price-0").fill("87.50")
    page.get_by_role("button", name="Create invoice").click()
    expect(page.locator("#invoice-pending, #invoice-created")).to_be_visible()
    expect(page.locator("#invoice-created")).to_be_visible(timeout=60_000)
    checker.check(page, "invoice-created")
    page.locator("#created-invoice-link").click()
    expect(page.get_by_text("Emergency call-out")).to_be_visible(timeout=30_000)
    created = [i for i in reader.invoices_of(customer["Id"]) if float(i["TotalAmt"]) == 175.0]
    assert created, "the sandbox holds no invoice of 175.00 for that customer"


def a_team_member_joins(stack, browser, page, checker) -> None:
    from mail_sink.testing import wait_for_message

    email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
    page.goto("/settings/team")
    checker.check(page, "team")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    body = wait_for_message(stack.mail, email, timeout=30)["body"]
    link = re.search(r"https?://\S+/join/\S+", body)
    assert link, body
    member = browser.new_context(base_url=stack.gateway_url).new_page()
    member.goto(link.group().rstrip(".,)"))
    checker.check(member, "join-team")
    member.get_by_label("Password").fill(PASSWORD)
    member.get_by_role("button", name="Accept the invitation").click()
    member.wait_for_url("**/customers")
    expect(member.get_by_text("Pro plan · Admin")).to_be_visible()
    member.context.close()
    page.goto("/settings/team")
    expect(page.get_by_role("cell", name=email, exact=True)).to_be_visible()


def a_failed_sync_is_explained(stack, page, realm_id, checker) -> None:
    """QuickBooks unavailable (503s) during Sync Now: the reason and the help page's steps."""
    stack.control.inject_fault(status=503, count=200, realm_id=realm_id, kind="api")
    try:
        page.goto("/settings/quickbooks")
        page.get_by_role("button", name="Sync Now").click()
        failed = page.locator("#sync-failed")
        expect(failed).to_contain_text("Connection Failed", timeout=90_000)
        expect(failed).to_contain_text("Wait 5 minutes")
        checker.check(page, "quickbooks-sync-failed")
    finally:
        stack.control.clear_faults()
