"""Plain SMTP: in development the local mail sink, in production the relay."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from clientsynq.webhooks.config import MailSettings

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, settings: MailSettings, timeout_seconds: float = 10) -> None:
        self._settings = settings
        self._timeout = timeout_seconds

    def send(self, to: str, subject: str, body: str) -> None:
        """Raises OSError/SMTPException: the caller decides whether to try again."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._settings.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self._settings.host, self._settings.port,
                          timeout=self._timeout) as smtp:
            if self._settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._settings.username:
                smtp.login(self._settings.username, self._settings.password or "")
            smtp.send_message(message)
