"""The Mailer port: the fake and the real SMTP mailer (to the development mail sink) both
deliver what a disable alert sends."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from clientsynq.common.mail import SmtpMailer, SmtpSettings
from fakes import FakeMailer

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(params=["fake", "smtp"])
def mailer(request) -> Iterator[tuple[object, Callable[[str], list[str]]]]:
    if request.param == "fake":
        fake = FakeMailer()
        yield fake, lambda to: [subject for sent_to, subject, _ in fake.sent if sent_to == to]
        return
    from mail_sink.testing import messages, running_mail_sink

    with running_mail_sink() as sink:
        real = SmtpMailer(SmtpSettings("127.0.0.1", sink.smtp_port, "webhooks@clientsynq.dev"))
        yield real, lambda to: [m.get("subject", "") for m in messages(sink, to)]


def test_a_sent_message_arrives_for_its_recipient_only(mailer):
    sender, inbox = mailer
    sender.send("owner@example.com", "Your webhook endpoint was disabled", "Resume it.")
    assert inbox("owner@example.com") == ["Your webhook endpoint was disabled"]
    assert inbox("someone@example.com") == []
