"""Plain SMTP: in development a local sink (tools/mail-sink), in production the relay."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from clientsynq.auth.config import MailSettings
from clientsynq.auth.domain.errors import MailUnavailable

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, settings: MailSettings, timeout_seconds: float = 10) -> None:
        self._settings = settings
        self._timeout = timeout_seconds

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
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
