"""A newcomer signs up in the browser and lands on Settings → QuickBooks, not connected."""
from __future__ import annotations

import uuid

import pytest
from browser_stack import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_sign_up_lands_on_quickbooks_settings(stack, browser, checker):
    context = browser.new_context(base_url=stack.gateway_url)
    page = context.new_page()
    page.goto("/signup")
    checker.check(page, "signup")
    page.get_by_label("Business name").fill("Acme Plumbing")
    page.get_by_label("Email").fill(f"owner-{uuid.uuid4().hex[:6]}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/settings/quickbooks")
    assert page.get_by_role("button", name="Connect to QuickBooks").is_visible()
    checker.check(page, "quickbooks-not-connected")
    context.close()
