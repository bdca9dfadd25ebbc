"""A newcomer reads mail on the sink's web page: listed newest first, links clickable, and a
message's HTML never runs in their browser."""
from __future__ import annotations

import smtplib
import urllib.request
from email.message import EmailMessage

from mail_sink.testing import running_mail_sink, wait_for_message


def send(port: int, to: str, subject: str, text: str, html: str | None = None) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "no-reply@x.dev", to, subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.send_message(message)


def page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def test_the_inbox_page_lists_each_message_and_shows_its_link():
    with running_mail_sink() as sink:
        send(sink.smtp_port, "ann@example.com", "Your invitation",
             "Open http://127.0.0.1:8080/portal/invite/abc to see your invoices")
        received = wait_for_message(sink, "ann@example.com")
        inbox = page(f"{sink.http_url}/")
        assert "Your invitation" in inbox and "ann@example.com" in inbox
        message = page(f"{sink.http_url}/view/{received['id']}")
        assert ('<a href="http://127.0.0.1:8080/portal/invite/abc">' in message)


def test_html_in_a_message_is_shown_as_text_not_run():
    with running_mail_sink() as sink:
        send(sink.smtp_port, "bob@example.com", "<script>alert(1)</script>",
             "<img src=x onerror=alert(1)>", html="<p>hi</p>")
        received = wait_for_message(sink, "bob@example.com")
        assert received["html"].strip() == "<p>hi</p>"
        for url in (f"{sink.http_url}/", f"{sink.http_url}/view/{received['id']}"):
            shown = page(url)
            assert "<script>" not in shown and "<img" not in shown
            assert "&lt;script&gt;" in shown


def test_an_unknown_message_is_a_404():
    with running_mail_sink() as sink:
        try:
            page(f"{sink.http_url}/view/99")
        except urllib.error.HTTPError as error:
            assert error.code == 404
        else:
            raise AssertionError("expected 404")
