"""A message sent over SMTP can be read back over HTTP, filtered by recipient."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from mail_sink.testing import messages, running_mail_sink, wait_for_message


def test_a_sent_message_is_listed_for_its_recipient():
    with running_mail_sink() as sink:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.dev", "Ann@Example.com", "Hi"
        message.set_content("Open https://example.com/portal/invite/abc")
        with smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=5) as smtp:
            smtp.send_message(message)
        received = wait_for_message(sink, "ann@example.com")
        assert received["subject"] == "Hi"
        assert "portal/invite/abc" in received["body"]
        assert messages(sink, "bob@example.com") == []


def test_dot_stuffed_lines_and_several_recipients_arrive_intact():
    with running_mail_sink() as sink:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.dev", "b@x.dev, c@x.dev", "S"
        message.set_content("line one\n.starts with a dot\nend\n")
        with smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=5) as smtp:
            smtp.send_message(message)
        received = wait_for_message(sink, "c@x.dev")
        assert received["to"] == ["b@x.dev", "c@x.dev"]
        assert ".starts with a dot" in received["body"]
