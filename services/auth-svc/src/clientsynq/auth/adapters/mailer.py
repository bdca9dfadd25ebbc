"""Plain SMTP: in development a local sink (tools/mail-sink), in production the relay."""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from clientsynq.auth.config import MailSettings
from clientsynq.auth.domain.errors import MailUnavailable
from clientsynq.auth.domain.mail import InlineImage

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, settings: MailSettings, timeout_seconds: float = 10) -> None:
        self._settings = settings
        self._timeout = timeout_seconds

    def send(self, to: str, subject: str, body: str, html: str | None = None,
             images: Sequence[InlineImage] = ()) -> None:
        message = compose(self._settings.sender, to, subject, body, html, images)
        try:
            with smtplib.SMTP(self._settings.host, self._settings.port,
                              timeout=self._timeout) as smtp:
                if self._settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._settings.username:
                    smtp.login(self._settings.username, self._settings.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as err:
            log.warning("mail.send_failed", extra={"error": type(err).__name__})
            raise MailUnavailable("The email could not be sent; try again later.") from None


def compose(sender: str, to: str, subject: str, body: str, html: str | None = None,
            images: Sequence[InlineImage] = ()) -> EmailMessage:
    """Text, or text with an HTML alternative whose images travel inside the mail
    (multipart/related), so a reader shows them without fetching anything."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if html is None:
        return message
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    for image in images:
        if html_part is not None:
            html_part.add_related(image.data, maintype="image", subtype=image.subtype,
                                  cid=f"<{image.cid}>")
    return message
