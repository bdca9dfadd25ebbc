"""Settings → Webhooks (Enterprise) in Chromium through the gateway, on the real webhook-svc:
an owner adds an endpoint pointing at a local receiver, sees its signing secret once, sends a
test event and sees the delivery's attempt in the log; the receiver checks the signature with
that secret (Standard Webhooks' own library). Then resend, pause, replay, edit, rotate the
secret (the next message verifies with the new one) and delete."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook
from story_steps import change_plan, sign_up
from waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_owner_adds_an_endpoint_sees_the_secret_once_and_a_test_delivery(
        stack, browser, checker, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/clientsynq"
    context = browser.new_context(base_url=stack.gateway_url)
    page = context.new_page()
    sign_up(page, business="Hooked Enterprise")
    change_plan(stack, page, "enterprise")
    page.goto("/settings/webhooks")
    checker.check(page, "webhooks-empty")
    page.get_by_label("Endpoint URL").fill(url)
    page.get_by_label("Description (optional)").fill("Our ERP")
    page.get_by_role("button", name="Add endpoint").click()
    revealed = page.locator("#new-secret [data-revealed]")
    expect(revealed).to_have_text(re.compile(r"^whsec_"))
    secret = revealed.inner_text()
    expect(page.locator("#new-secret")).to_be_focused()
    checker.check(page, "webhooks-secret-once")

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("link", name=url)).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("button", name=f"Send test event to {url}").click()
    page.get_by_role("link", name="See its delivery").click()
    wait_until(lambda: Hook.received, 30, "the test event at the receiver")
    headers, body = Hook.received[0]
    assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"

    def attempt_shown() -> bool:
        page.reload()
        return page.get_by_role("cell", name="Delivered").count() > 0
    wait_until(attempt_shown, 30, "the delivered attempt in the log")
    expect(page.get_by_role("cell", name="204")).to_be_visible()
    checker.check(page, "webhook-deliveries")
    resend_pause_resume_and_replay(page)
    edit_rotate_and_delete(page, checker, url, secret)
    context.close()


def resend_pause_resume_and_replay(page) -> None:
    """Resend sends the same message again (same webhook-id); pause and resume change the
    state shown; a replay since an hour ago is accepted."""
    page.get_by_role("button", name=re.compile(r"^Resend")).first.click()
    wait_until(lambda: len(Hook.received) >= 2, 30, "the resent message")
    assert Hook.received[1][0]["webhook-id"] == Hook.received[0][0]["webhook-id"]
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("Paused — events wait")).to_be_visible()
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_text("State: Active")).to_be_visible()
    page.get_by_label(re.compile("Send again every message since")).fill(
        page.evaluate("() => { const d = new Date(Date.now() - 3600e3 - "
                      "new Date().getTimezoneOffset() * 60e3); "
                      "return d.toISOString().slice(0, 16); }"))
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_text("Replay queued")).to_be_focused()


def edit_rotate_and_delete(page, checker, url: str, old_secret: str) -> None:
    """Edit (description, one event type less), rotate the secret (the new one shown once,
    and the next message verifies with it), then delete the endpoint."""
    page.get_by_label("Description (optional)").fill("Our ERP, new building")
    page.get_by_label(re.compile(r"^sync\.failed")).uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("· Our ERP, new building")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^sync\.failed"))).not_to_be_checked()
    expect(page.get_by_text(re.compile(r"^Events: .*sync\.completed$"))).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate secret").click()
    revealed = page.locator("#rotated-secret [data-revealed]")
    expect(revealed).to_have_text(re.compile(r"^whsec_"))
    expect(page.locator("#rotated-secret")).to_be_focused()
    new_secret = revealed.inner_text()
    assert new_secret != old_secret
    checker.check(page, "webhook-secret-rotated")
    before = len(Hook.received)
    page.get_by_role("button", name=f"Send test event to {url}").click()
    wait_until(lambda: len(Hook.received) > before, 30, "a test event after the rotation")
    headers, body = Hook.received[-1]
    assert Webhook(new_secret).verify(body, headers)["type"] == "webhook.test"
    page.get_by_role("link", name="Done").click()
    assert new_secret not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete endpoint").click()
    page.wait_for_url("**/settings/webhooks")
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()
