"""The help page's "What if I change QuickBooks accounts?": connect the new company and
data syncs from it. On a switch auth-svc publishes the old company's `disconnected` a
millisecond before the new one's `connected`, so portal's connection read model (newest
change wins) ends on the new company, connected."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sandbox_reader import SandboxReader
from story_steps import change_plan, connect, consent, expect_connected, sign_up

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_connecting_another_company_replaces_the_first(stack, browser, checker):
    first = stack.control.create_company(customers=2, invoices=3, seed=41, name="Old Books Co")
    second = stack.control.create_company(customers=3, invoices=3, seed=42, name="New Books Co")
    page = browser.new_context(base_url=stack.gateway_url).new_page()
    sign_up(page)
    change_plan(stack, page, "pro")
    connect(page, stack, first["realm_id"])
    expect_connected(page, "Old Books Co",
                     len(SandboxReader(stack.sandbox, first["realm_id"]).active_customers()))
    page.get_by_text("Change to another QuickBooks company").click()
    page.get_by_role("button", name="Connect a different company").click()
    consent(page, stack, second["realm_id"])
    expect(page.locator("#company-name")).to_have_text("New Books Co", timeout=60_000)
    checker.check(page, "quickbooks-changed-company")
    page.context.close()
