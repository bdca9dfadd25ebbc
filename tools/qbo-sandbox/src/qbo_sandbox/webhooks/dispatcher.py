"""Background delivery of webhooks: batched per app and realm, signed, retried on Intuit's schedule.

One channel per (app, realm). Changes wait for a short window, then go out as one request.
A channel has at most one delivery in flight; while it is failing and being retried, newer
changes wait behind it (Intuit holds later events until the failed one is acknowledged).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from ..apps import App, AppRegistry
from ..oauth_tokens import TokenStore
from .mess import Mess, MessSettings
from .payloads import ChangeEvent, aggregate, classic_body, cloudevents_body, new_event, signature

log = logging.getLogger(__name__)

RETRY_SECONDS = (10, 20, 30, 300, 1200, 7200, 14400, 21600)
LOG_SIZE = 10_000


@dataclass(frozen=True)
class DispatchSettings:
    """Timing knobs; time_scale multiplies the retry schedule (0.001 turns 10 s into 10 ms)."""

    batch_seconds: float = 1.0
    time_scale: float = 1.0
    timeout_seconds: float = 3.0
    max_attempts: int = 20
    mess: MessSettings = field(default_factory=MessSettings)


@dataclass
class Delivery:
    """One request body and its retry state."""

    url: str
    body: bytes
    headers: dict[str, str]
    event_count: int
    attempt: int = 0
    due: float = 0.0
    sending: bool = False
    copies: int = 1  # 2 when the mess options send it twice


@dataclass
class Channel:
    """Pending changes and the in-flight delivery of one app for one realm."""

    client_id: str
    realm_id: str
    pending: list[ChangeEvent] = field(default_factory=list)
    window_ends: float = 0.0
    delivery: Delivery | None = None
    held: Delivery | None = None  # reordered: goes out after the next delivery
    held_until: float = 0.0


class WebhookDispatcher:
    """Owns the delivery thread; `stop()` joins it and the sender pool."""

    def __init__(self, apps: AppRegistry, tokens: TokenStore, settings: DispatchSettings) -> None:
        self.apps = apps
        self.tokens = tokens
        self.settings = settings
        self._channels: dict[tuple[str, str], Channel] = {}
        self._attempts: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qbo-webhook")
        self._mess = Mess(settings.mess)

    def start(self) -> None:
        """Start the scheduling thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="qbo-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop scheduling, let in-flight sends finish, and join everything."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def on_change(self, realm_id: str, entity: str, entity_id: str, operation: str,
                  _when: str, deleted_id: str | None = None) -> None:
        """Store listener: queue the change for every app connected to the realm."""
        event = new_event(realm_id, entity, entity_id, operation, deleted_id)
        recipients = [c for c in self.tokens.connected_clients(realm_id)
                      if (app := self.apps.get(c)) is not None and app.webhook_url]
        if not recipients:
            return
        with self._cond:
            for client_id in recipients:
                channel = self._channels.setdefault(
                    (client_id, realm_id), Channel(client_id, realm_id))
                if not channel.pending:
                    channel.window_ends = (time.monotonic() + self.settings.batch_seconds
                                           + self.settings.mess.first_delay_seconds)
                channel.pending.append(event)
            self._cond.notify_all()

    def flush(self) -> None:
        """End every batching window now and make failed deliveries due at once."""
        with self._cond:
            now = time.monotonic()
            for channel in self._channels.values():
                channel.window_ends = min(channel.window_ends, now)
                channel.held_until = min(channel.held_until, now)
                if channel.delivery is not None and not channel.delivery.sending:
                    channel.delivery.due = now
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or in flight (tests); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while any(c.pending or c.delivery or c.held for c in self._channels.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def attempts(self, realm_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery attempt (newest last) with status, error and the body sent."""
        with self._cond:
            return [a for a in self._attempts if realm_id is None or a["realm_id"] == realm_id]

    def held_count(self) -> int:
        """Deliveries held back by the reorder option (tests wait on it)."""
        with self._cond:
            return sum(1 for c in self._channels.values() if c.held is not None)

    def pending_count(self) -> int:
        """Changes not yet acknowledged by their endpoint."""
        with self._cond:
            return sum(len(c.pending) + (c.delivery.event_count if c.delivery else 0)
                       + (c.held.event_count if c.held else 0)
                       for c in self._channels.values())

    def clear(self) -> None:
        """Drop every queued change and delivery (control API reset)."""
        with self._cond:
            self._channels.clear()
            self._attempts.clear()

    def _run(self) -> None:
        with self._cond:
            while not self._stopping:
                wait = self._dispatch_due(time.monotonic())
                self._cond.wait(timeout=wait)

    def _dispatch_due(self, now: float) -> float:
        """Start every send that is due; return how long to sleep."""
        next_due = now + 60.0
        for channel in list(self._channels.values()):
            if channel.held is not None and channel.delivery is None:
                if not channel.pending and channel.held_until <= now:
                    channel.delivery, channel.held = channel.held, None
                else:
                    next_due = min(next_due, channel.held_until)
            if channel.delivery is None and channel.pending and channel.window_ends <= now:
                channel.delivery = self._messy(channel, self._build(channel), now)
                if channel.delivery is None:
                    if channel.held is not None:  # just held back: wake when it is due
                        next_due = min(next_due, channel.held_until)
                    continue
            delivery = channel.delivery
            if delivery is None:
                if channel.pending:
                    next_due = min(next_due, channel.window_ends)
                continue
            if delivery.sending:
                continue
            if delivery.due <= now:
                delivery.sending = True
                self._pool.submit(self._send, channel, delivery)
            else:
                next_due = min(next_due, delivery.due)
        return max(0.0, next_due - now)

    def _messy(self, channel: Channel, delivery: Delivery | None, now: float
               ) -> Delivery | None:
        """Drop, hold back (reorder) or mark for a duplicate, as the mess options say."""
        if delivery is None:
            return None
        if self._mess.drop():
            self._attempts.append({"client_id": channel.client_id,
                                   "realm_id": channel.realm_id, "url": delivery.url,
                                   "attempt": 0, "status": None, "ok": False,
                                   "error": "dropped by the sandbox (drop_rate)",
                                   "dropped": True, "elapsed_ms": 0.0, "time": time.time(),
                                   "body": delivery.body.decode(),
                                   "signature": delivery.headers["intuit-signature"]})
            return None
        if self._mess.duplicate():
            delivery.copies = 2
        if channel.held is None and self._mess.reorder():
            channel.held = delivery
            channel.held_until = now + self._mess.settings.hold_seconds
            return None
        return delivery

    def _build(self, channel: Channel) -> Delivery | None:
        app = self.apps.get(channel.client_id)
        events = aggregate(channel.pending)
        if self.settings.mess.reorder_rate > 0 and len(events) > 1 and self._mess.reorder():
            events.reverse()
        channel.pending = []
        if app is None or not app.webhook_url:
            return None
        body = self._body(app, channel.realm_id, events)
        headers = {"Content-Type": "application/json", "User-Agent": "Intuit-Webhooks/1.0",
                   "intuit-signature": signature(app.webhook_verifier_token, body)}
        return Delivery(app.webhook_url, body, headers, len(events))

    @staticmethod
    def _body(app: App, realm_id: str, events: list[ChangeEvent]) -> bytes:
        if app.webhook_format == "classic":
            return classic_body(realm_id, events)
        return cloudevents_body(app.client_id, events)

    def _send(self, channel: Channel, delivery: Delivery) -> None:
        """Runs in the sender pool: one POST, then success or the next retry time."""
        started = time.monotonic()
        status, error = self._post(delivery)
        elapsed = time.monotonic() - started
        ok = status is not None and 200 <= status < 300 and elapsed <= self.settings.timeout_seconds
        with self._cond:
            delivery.attempt += 1
            delivery.sending = False
            self._attempts.append({
                "client_id": channel.client_id, "realm_id": channel.realm_id,
                "url": delivery.url, "attempt": delivery.attempt, "status": status,
                "ok": ok, "error": error, "elapsed_ms": round(elapsed * 1000, 1),
                "time": time.time(), "body": delivery.body.decode(),
                "signature": delivery.headers["intuit-signature"]})
            if ok and delivery.copies > 1:
                delivery.copies -= 1  # the duplicate goes out at once
                delivery.due = time.monotonic()
            elif ok or delivery.attempt >= self.settings.max_attempts:
                if not ok:
                    log.warning("webhook.dropped", extra={"realm_id": channel.realm_id})
                channel.delivery = None
                if channel.held is not None:  # the held-back delivery goes out next
                    channel.delivery, channel.held = channel.held, None
            else:
                index = min(delivery.attempt - 1, len(RETRY_SECONDS) - 1)
                delivery.due = time.monotonic() + RETRY_SECONDS[index] * self.settings.time_scale
            self._cond.notify_all()

    def _post(self, delivery: Delivery) -> tuple[int | None, str | None]:
        """POST once; a timeout (Intuit: 3 s) or connection error is a failed attempt."""
        try:
            response = requests.post(delivery.url, data=delivery.body, headers=delivery.headers,
                                     timeout=self.settings.timeout_seconds)
        except requests.RequestException as err:
            return None, f"{type(err).__name__}: {err}"
        return response.status_code, None if response.ok else f"HTTP {response.status_code}"
