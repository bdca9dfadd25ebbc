"""The steps of the help page, as a person does them in the browser (labels and buttons by
their visible names, never by private hooks), shared by the story tests."""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from browser_stack import PASSWORD, Stack
from playwright.sync_api import expect

SYNC_TIMEOUT_MS = 120_000


def sign_up(page: Any, checker: Any = None, business: str = "Acme Plumbing") -> str:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/signup")
    if checker is not None:
        checker.check(page, "signup")
    page.get_by_label("Business name").fill(business)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    # Sign-up answers every email alike (202, "Check your email"); on the loopback test
    # stack the business exists already, so the owner signs in.
    page.locator("#signup-sent").wait_for(state="visible")
    page.goto("/login?next=/settings/quickbooks")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/settings/quickbooks")
    return email


def me(page: Any) -> dict[str, Any]:
    return dict(page.request.get("/auth/v1/me").json())


def change_plan(stack: Stack, page: Any, plan: str) -> str:
    """The operator changes the plan; the browser's next refresh carries it (as the app's
    script refreshes a lapsed session)."""
    tenant_id = str(me(page)["tenant_id"])
    stack.set_plan(tenant_id, plan)
    status = page.evaluate("async () => (await fetch('/auth/v1/token/refresh', "
                           "{method: 'POST', credentials: 'same-origin'})).status")
    assert status == 200
    return tenant_id


def consent(page: Any, stack: Stack, realm_id: str) -> None:
    """On Intuit's (the sandbox's) page: choose the company, click Authorize."""
    page.wait_for_url(f"{stack.sandbox.base_url}/**")
    page.get_by_label("Company").select_option(realm_id)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/settings/quickbooks")


def connect(page: Any, stack: Stack, realm_id: str, button: str = "Connect to QuickBooks") -> None:
    page.goto("/settings/quickbooks")
    page.get_by_role("button", name=button).click()
    consent(page, stack, realm_id)


def expect_connected(page: Any, company: str, customers: int) -> None:
    """The help page's "Verifying the Connection", updated live (no reload)."""
    expect(page.locator("#qbo-connected")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("#company-name")).to_have_text(company)
    expect(page.locator("#customers-synced")).to_have_text(str(customers),
                                                           timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("#last-sync")).to_contain_text("UTC", timeout=SYNC_TIMEOUT_MS)


def wait_for_a_sync_finished_after(page: Any, moment: datetime) -> None:
    """Until the page (live) shows a sync that finished after `moment` (the exact instant is
    the `datetime` of the Last sync's `<time>`)."""
    page.wait_for_function(
        """since => {
             const shown = document.querySelector("#last-sync time");
             return shown !== null && new Date(shown.dateTime) >= new Date(since);
           }""", arg=moment.isoformat(), timeout=SYNC_TIMEOUT_MS)


def sync_now_after_the_grant_expired(page: Any) -> None:
    """Sync Now once QuickBooks' grant has expired (no sync going): the run needs a token,
    and the refusal shows as Authorization Expired, live, at the page's own address."""
    with page.expect_navigation():
        page.get_by_role("button", name="Sync Now").click()
    expect(page.locator("#qbo-expired")).to_be_visible(timeout=90_000)
    expect(page).to_have_url(re.compile(r"/settings/quickbooks$"))


def invite(page: Any, stack: Stack, customer_id: str, email: str) -> str:
    """Invite to portal; the link is read from the mail, as the client would."""
    from mail_sink.testing import wait_for_message

    page.goto("/customers")
    row = page.locator(f'tr[data-customer="{customer_id}"]')
    row.get_by_role("button", name=re.compile("Invite")).click()
    expect(page.get_by_role("status")).to_have_text("Invitation sent.")
    body = wait_for_message(stack.mail, email, timeout=30)["body"]
    found = re.search(r"https?://\S+/portal/invite/\S+", body)
    assert found, body
    return found.group().rstrip(".,)")


def open_invitation(page: Any, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Open my invoices").click()
    page.wait_for_url("**/portal")


def sign_in_again_by_link(page: Any, stack: Stack, checker: Any, email: str) -> None:
    """A returning client: sign out, ask for a link on the sign-in page, open the mailed
    link. The mail is sent before the page says so, so it is in the sink by then."""
    from mail_sink.testing import messages

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/portal/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("#link-sent")).to_be_visible()
    checker.check(page, "portal-signin")
    links = re.findall(r"https?://\S+/portal/signin/\S+", messages(stack.mail, email)[-1]["body"])
    assert links, "no sign-in link mailed"
    open_invitation(page, links[-1])


def shown_invoice_ids(page: Any) -> set[str]:
    return set(page.locator("tr[data-invoice]").evaluate_all(
        "rows => rows.map(r => r.dataset.invoice)"))


def a_client_with_invoices(reader: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    for customer in reader.active_customers():
        invoices = reader.invoices_of(customer["Id"])
        if customer.get("PrimaryEmailAddr") and any(float(i["Balance"]) > 0 for i in invoices):
            return customer, invoices
    raise AssertionError("the seeded company has no emailed customer with an open invoice")


def tiny_png() -> bytes:
    """A real 1x1 PNG (signature, IHDR, IDAT, IEND), made here rather than stored."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x3d\x91")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def brand(page: Any, checker: Any, color: str = "#0b3d91") -> None:
    page.goto("/settings/branding")
    page.locator("#color").fill(color)
    page.get_by_label("Logo").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator("#branding-saved")).to_be_visible()
    checker.check(page, "branding")
