"""The help page's "What if I change QuickBooks accounts?": connect the new company and
data syncs from it. On a switch auth-svc publishes the old company's `disconnected` a
millisecond before the new one's `connected`, so portal's connection read model (newest
change wins) ends on the new company, connected.

Then the same business, on Pro, is told what Enterprise's advanced sync controls are; on
Enterprise it changes them on the real sync-svc: records to sync, frequency, history window,
pause and resume, a full resync."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sandbox_reader import SandboxReader
from story_steps import (
    SYNC_TIMEOUT_MS,
    change_plan,
    connect,
    consent,
    expect_connected,
    sign_up,
)

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
    live_sync_progress(stack, page, first["realm_id"], checker)
    page.get_by_text("Change to another QuickBooks company").click()
    page.get_by_role("button", name="Connect a different company").click()
    consent(page, stack, second["realm_id"])
    expect(page.locator("#company-name")).to_have_text("New Books Co", timeout=60_000)
    checker.check(page, "quickbooks-changed-company")
    page.goto("/settings/sync")
    expect(page.locator("#sync-controls-upsell")).to_contain_text("Enterprise plan")
    checker.check(page, "sync-controls-pro")
    expect(page.get_by_role("button", name="Pause syncing")).to_have_count(0)
    change_plan(stack, page, "enterprise")
    advanced_sync_controls(page, checker)
    page.context.close()


def live_sync_progress(stack, page, realm_id: str, checker) -> None:
    """Sync Now, live: "Sync requested", then "Sync in progress" with the records so far,
    then the last sync's time and what it brought in — no reload. The sandbox holds one of
    the run's change-data-capture answers until its faults are cleared, so the in-progress
    state stays on screen to be seen (the other entities' answers go through)."""
    reader = SandboxReader(stack.sandbox, realm_id)
    stack.control.change(realm_id, "Customer", reader.active_customers()[0]["Id"],
                         Notes="Moved offices")
    stack.control.change(realm_id, "Invoice", reader.rows("Invoice")[0]["Id"],
                         PrivateNote="Re-issued")
    stack.control.inject_fault(hang=True, count=1, realm_id=realm_id, kind="cdc")
    try:
        page.get_by_role("button", name="Sync Now").click()
        expect(page.locator("#sync-progress")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
        expect(page.locator("#sync-progress-text")).to_have_text(
            re.compile(r"^Syncing (customers|invoices): \d+ records?$"))
        checker.check(page, "quickbooks-sync-in-progress")
    finally:
        stack.control.clear_faults()
    expect(page.locator("#sync-progress")).to_have_count(0, timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("#sync-failed")).to_have_count(0)
    expect(page.locator("#last-sync-counts")).to_have_text(
        re.compile(r"^\d+ customers?, \d+ invoices? and \d+ payments?$"))


def advanced_sync_controls(page, checker) -> None:
    page.goto("/settings/sync")
    checker.check(page, "sync-controls")
    page.get_by_label("Customers", exact=True).uncheck()
    page.get_by_label("Invoices: sync frequency").select_option(label="Every 15 minutes")
    page.get_by_label("History to keep").select_option(label="The last 24 months")
    page.get_by_role("button", name="Save sync settings").click()
    expect(page.get_by_role("status")).to_have_text("Sync settings saved.")
    expect(page.get_by_label("Customers", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Invoices: sync frequency")).to_have_value("900")
    expect(page.get_by_label("History to keep")).to_have_value("730")
    page.get_by_role("button", name="Pause syncing").click()
    expect(page.locator("#sync-state")).to_contain_text("Paused")
    page.get_by_role("button", name="Resume syncing").click()
    expect(page.get_by_role("status")).to_contain_text("Syncing resumed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start a full resync").click()
    expect(page.get_by_role("status")).to_contain_text("Full resync queued")
