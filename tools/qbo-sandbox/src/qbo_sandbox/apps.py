"""Registered apps: the Development keys, redirect URIs and webhook settings of an app."""

from __future__ import annotations

import secrets
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

WEBHOOK_FORMATS = ("cloudevents", "classic")


@dataclass(frozen=True)
class App:
    """One app as Intuit's developer portal holds it."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str = "Sandbox App"
    webhook_url: str | None = None
    webhook_verifier_token: str = field(default_factory=lambda: secrets.token_hex(16))
    webhook_format: str = "cloudevents"

    def public_dict(self) -> dict[str, Any]:
        """The control API's view (secrets included: it is a test tool)."""
        data = asdict(self)
        data["redirect_uris"] = list(self.redirect_uris)
        return data


def app_from_dict(data: dict[str, Any]) -> App:
    """Build an app from control-API JSON, generating whatever was left out."""
    fmt = data.get("webhook_format") or "cloudevents"
    if fmt not in WEBHOOK_FORMATS:
        raise ValueError(f"webhook_format must be one of {WEBHOOK_FORMATS}")
    uris = data.get("redirect_uris") or []
    if isinstance(uris, str):
        uris = [uris]
    return App(
        client_id=data.get("client_id") or "AB" + secrets.token_hex(20),
        client_secret=data.get("client_secret") or secrets.token_hex(20),
        redirect_uris=tuple(uris),
        name=data.get("name") or "Sandbox App",
        webhook_url=data.get("webhook_url"),
        webhook_verifier_token=data.get("webhook_verifier_token") or secrets.token_hex(16),
        webhook_format=fmt,
    )


class AppRegistry:
    """Apps by client id; thread-safe because the server is multithreaded."""

    def __init__(self) -> None:
        self._apps: dict[str, App] = {}
        self._lock = threading.Lock()

    def add(self, app: App) -> App:
        """Register (or replace) an app."""
        with self._lock:
            self._apps[app.client_id] = app
        return app

    def get(self, client_id: str) -> App | None:
        """The app, or None for an unknown client id."""
        with self._lock:
            return self._apps.get(client_id)

    def update(self, client_id: str, changes: dict[str, Any]) -> App:
        """Change settings of an existing app (webhook URL, format, redirect URIs)."""
        allowed = {"client_secret", "name", "webhook_url", "webhook_verifier_token",
                   "webhook_format", "redirect_uris"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if changes.get("webhook_format", "cloudevents") not in WEBHOOK_FORMATS:
            raise ValueError(f"webhook_format must be one of {WEBHOOK_FORMATS}")
        if "redirect_uris" in changes:
            changes = {**changes, "redirect_uris": tuple(changes["redirect_uris"])}
        with self._lock:
            app = self._apps[client_id]
            self._apps[client_id] = replace(app, **changes)
            return self._apps[client_id]

    def all(self) -> list[App]:
        """Every app, in registration order."""
        with self._lock:
            return list(self._apps.values())

    def clear(self) -> None:
        """Forget every app (control API reset)."""
        with self._lock:
            self._apps.clear()
