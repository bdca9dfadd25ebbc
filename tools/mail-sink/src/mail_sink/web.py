"""HTTP side: the JSON API tests read (``/messages``) and the pages a newcomer reads (``/``).

Mail bodies are shown as escaped text with their links made clickable; HTML parts are never
rendered, so a message cannot run script in the developer's browser.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mail_sink.mailbox import Mailbox, Message

LINK = re.compile(r"https?://[^\s<>\"']+")
STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;"
         "color:#1b1f23}table{border-collapse:collapse;width:100%}td,th{text-align:left;"
         "padding:.4rem;border-bottom:1px solid #ccc}a{color:#0b57d0}pre{white-space:pre-wrap;"
         "background:#f4f4f4;padding:1rem}")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style><main>{body}</main></html>")


def _linked(text: str) -> str:
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts += [escape(text[last:match.start()]),
                  f"<a href=\"{escape(match.group())}\">{escape(match.group())}</a>"]
        last = match.end()
    return "".join(parts) + escape(text[last:])


def inbox_page(messages: list[Message]) -> str:
    rows = "".join(f"<tr><td><a href='/view/{m.id}'>{escape(m.subject) or '(no subject)'}"
                   f"</a></td><td>{escape(', '.join(m.to))}</td><td>{escape(m.received_at)}"
                   "</td></tr>" for m in reversed(messages))
    table = (f"<table><thead><tr><th scope=col>Subject</th><th scope=col>To</th>"
             f"<th scope=col>Received (UTC)</th></tr></thead><tbody>{rows}</tbody></table>"
             if messages else "<p>No mail yet. Messages sent to this SMTP port appear here.</p>")
    return _page("Mail sink", f"<h1>Development mail ({len(messages)})</h1>{table}"
                 "<p>JSON: <a href='/messages'>/messages</a></p>")


def message_page(message: Message) -> str:
    return _page(message.subject, f"<p><a href='/'>All mail</a></p>"
                 f"<h1>{escape(message.subject)}</h1><p>From {escape(message.mail_from)} to "
                 f"{escape(', '.join(message.to))}, {escape(message.received_at)}</p>"
                 f"<pre>{_linked(message.body)}</pre>")


def handler_for(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                return self._send({"status": "ok"})
            if url.path == "/messages":
                to = parse_qs(url.query).get("to", [None])[0]
                return self._send([asdict(m) for m in mailbox.list(to)])
            if url.path == "/":
                return self._send(inbox_page(mailbox.list()))
            found = re.fullmatch(r"/view/(\d+)", url.path)
            message = mailbox.get(int(found.group(1))) if found else None
            if message is None:
                return self._send({"error": "not found"}, 404)
            return self._send(message_page(message))

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path != "/messages":
                return self._send({"error": "not found"}, 404)
            mailbox.clear()
            return self._send({"status": "cleared"})

        def _send(self, payload: Any, status: int = 200) -> None:
            is_html = isinstance(payload, str)
            data = (payload if is_html else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8" if is_html
                             else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src "
                             "'unsafe-inline'")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and `make run` do not want a line per poll."""

    return Handler
