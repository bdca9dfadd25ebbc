"""The help page's story, click by click, as a new business and its client would live it:
sign up → Settings → QuickBooks → Connect → consent → the green check with the company name,
last sync time and the right customer count → invite a client (the mail in the business's
branding) → the client opens the mailed link and sees only their invoices → (Pro) pays one,
and the business's open invoice page turns paid without a reload while the sandbox holds the
payment → Disconnect keeps the data for both → an expired authorization shows "Authorization
Expired", Reconnect recovers."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from browser_kit import PHONE
from browser_stack import PASSWORD
from mail_sink.testing import messages
from playwright.sync_api import expect
from sandbox_reader import SandboxReader
from story_steps import (
    a_client_with_invoices,
    brand,
    change_plan,
    connect,
    consent,
    expect_connected,
    invite,
    open_invitation,
    shown_invoice_ids,
    sign_in_again_by_link,
    sign_up,
    sync_now_after_the_grant_expired,
    wait_for_a_sync_finished_after,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_a_new_business_connects_invites_a_client_and_disconnects(stack, browser, checker):
    company = stack.control.create_company(customers=12, invoices=40, payments=12, seed=21,
                                           name="Harbour Plumbing Ltd")
    realm = company["realm_id"]
    reader = SandboxReader(stack.sandbox, realm)
    owner = browser.new_context(base_url=stack.gateway_url)
    page = owner.new_page()
    email = sign_up(page, checker)
    checker.check(page, "quickbooks-not-connected")
    change_plan(stack, page, "pro")

    connect(page, stack, realm)
    expect_connected(page, "Harbour Plumbing Ltd", len(reader.active_customers()))
    checker.check(page, "quickbooks-connected")

    brand(page, checker)
    customer, invoices = a_client_with_invoices(reader)
    link = invite(page, stack, customer["Id"], customer["PrimaryEmailAddr"]["Address"])
    branded = messages(stack.mail, customer["PrimaryEmailAddr"]["Address"])[-1]["html"]
    assert "Acme Plumbing</strong>" in branded and "background:#0b3d91" in branded
    assert 'src="cid:' in branded and link in branded  # the logo inside the mail, the link
    owed = sum(Decimal(i["Balance"]) for i in invoices)  # what QuickBooks says is open
    expect(page.locator(f'tr[data-customer="{customer["Id"]}"] td.num')).to_have_text(
        f"{owed:,.2f} USD")
    checker.check(page, "customers")

    client = browser.new_context(base_url=stack.gateway_url, viewport=PHONE)
    portal = client.new_page()
    open_invitation(portal, link)
    shown = shown_invoice_ids(portal)
    expect(portal.locator("header img[src='/branding/logo']")).to_be_visible()
    page.goto("/customers")
    expect(page.locator(f'tr[data-customer="{customer["Id"]}"]')).to_contain_text("Accepted")
    assert "--brand: #0b3d91" in (portal.locator("body").get_attribute("style") or "")
    assert shown and shown <= {i["Id"] for i in invoices}
    checker.check(portal, "portal-invoices")
    others = {i["Id"] for i in reader.rows("Invoice") if float(i["Balance"]) > 0} - \
        {i["Id"] for i in invoices}  # unpaid: always synced, whatever their age
    assert portal.goto(f"/portal/invoices/{sorted(others)[0]}").status == 404
    assert page.goto(f"/invoices/{sorted(others)[0]}").status == 200
    pay_one_invoice(stack, reader, page, portal, checker, customer["Id"],
                    [i for i in invoices if i["Id"] in shown and float(i["Balance"]) > 0])
    portal.goto("/portal/payments")
    checker.check(portal, "portal-payments")
    portal.goto("/portal/statement")
    owed = sum(Decimal(i["Balance"]) for i in reader.invoices_of(customer["Id"]))
    expect(portal.locator("#closing")).to_have_text(f"{owed:,.2f}")
    checker.check(portal, "portal-statement")
    sign_in_again_by_link(portal, stack, checker, customer["PrimaryEmailAddr"]["Address"])
    assert shown_invoice_ids(portal) == shown  # a later visit, by a link asked for again

    page.goto("/settings/quickbooks")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#qbo-disconnected")).to_be_visible(timeout=60_000)
    checker.check(page, "quickbooks-disconnected")
    page.goto("/invoices")
    assert shown_invoice_ids(page)
    checker.check(page, "invoices")
    portal.goto("/portal")
    assert shown_invoice_ids(portal) == shown

    reconnected_at = datetime.now(UTC)
    connect(page, stack, realm)
    expect(page.locator("#qbo-connected")).to_be_visible(timeout=60_000)
    wait_for_a_sync_finished_after(page, reconnected_at)  # the reconnect's catch-up ended:
    stack.control.expire_tokens(realm_id=realm, which="all")  # Intuit's 6-month re-consent
    sync_now_after_the_grant_expired(page)
    checker.check(page, "quickbooks-authorization-expired")
    page.get_by_role("button", name="Reconnect").click()
    consent(page, stack, realm)
    expect(page.locator("#qbo-connected")).to_be_visible(timeout=60_000)
    portal.goto("/portal")
    assert shown_invoice_ids(portal) == shown  # "No data is lost."
    log_out_and_back_in(page, checker, email)
    client.close()
    owner.close()


def log_out_and_back_in(page, checker, email: str) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/customers")  # the session is gone: back to log in, then back here
    page.wait_for_url("**/login?next=%2Fcustomers")
    checker.check(page, "login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/customers")
    page.goto("/forgot-password")
    checker.check(page, "forgot-password")


def pay_one_invoice(stack, reader, page, portal, checker, customer_id, payable) -> None:
    """The client pays the full balance; the business's open invoice page turns Paid by
    itself, and QuickBooks (the sandbox) holds a payment applied to that invoice."""
    assert payable, "the client has no open invoice to pay"
    invoice = payable[0]
    page.goto(f"/invoices/{invoice['Id']}")
    expect(page.locator("#invoice-status")).not_to_have_text("Paid")
    portal.goto(f"/portal/invoices/{invoice['Id']}")
    checker.check(portal, "portal-invoice")
    portal.get_by_label("Amount").fill(f"{float(invoice['Balance']):.2f}")
    portal.get_by_role("button", name="Pay").click()
    expect(portal.locator("#payment-pending, #payment-confirmed")).to_be_visible()
    expect(page.locator("#invoice-status")).to_have_text("Paid", timeout=90_000)
    expect(portal.locator("#payment-confirmed")).to_be_visible(timeout=30_000)
    expect(portal.locator("#invoice-status")).to_have_text("Paid")
    checker.check(page, "invoice-paid")
    paid = [line for payment in reader.payments_of(customer_id)
            for line in payment.get("Line", [])
            if any(t.get("TxnId") == invoice["Id"] for t in line.get("LinkedTxn", []))]
    assert paid and float(paid[-1]["Amount"]) == float(invoice["Balance"])
