"""Plain SMTP for every service: in development the local mail sink, in production a relay.

Settings come from each service's `config.py` (the shared `SMTP_*` names); sending raises
`OSError` or `smtplib.SMTPException`, and the caller decides whether that is worth a retry.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)


class SmtpMailer:
    def __init__(self, settings: SmtpSettings, timeout_seconds: float = 10) -> None:
        self._settings = settings
        self._timeout = timeout_seconds

    def send(self, to: str, subject: str, body: str) -> None:
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
