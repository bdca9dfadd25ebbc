"""Jinja filters: how dates and money read on every page (exact Decimal, never floats)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask


def when(value: datetime | None) -> str:
    """UTC, spelled out: the portal has no per-user time zone yet, so it says which it is."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%b %d, %Y %H:%M UTC")


def iso(value: datetime | None) -> str:
    """For `<time datetime>`: the exact instant (RFC 3339, UTC) behind a `when` text, for
    assistive technology and scripts (a stored time without a zone is UTC)."""
    if value is None:
        return ""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def instant(value: str | None) -> str:
    """An RFC 3339 time from another service's JSON (webhook-svc), to the second, in UTC."""
    if not value:
        return "—"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%b %d, %Y %H:%M:%S UTC")


def day(value: date | None) -> str:
    return "—" if value is None else value.strftime("%b %d, %Y")


def money(value: Decimal | None, currency: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.01')):,}"
    return f"{text} {currency}" if currency else text


def qty(value: Decimal | None) -> str:
    """Quantities as entered: 6, 1.5 (never 6.00, which reads as money)."""
    return "" if value is None else f"{value.normalize():f}"


def records(count: int | None, entity: str | None = None) -> str:
    """ "1 invoice", "30 invoices", "1 record": counts as a person says them."""
    n = count or 0
    noun = (entity or "record").lower()
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


SYNCED_KINDS = ("Customer", "Invoice", "Payment")


def synced(counts: Mapping[str, int] | None) -> str:
    """What a finished sync brought in: "2 customers, 30 invoices and 1 payment"."""
    parts = [records((counts or {}).get(kind, 0), kind) for kind in SYNCED_KINDS]
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def install_filters(app: Flask) -> None:
    app.add_template_filter(records)
    app.add_template_filter(synced)
    app.add_template_filter(qty)
    app.add_template_filter(when)
    app.add_template_filter(iso)
    app.add_template_filter(instant)
    app.add_template_filter(day)
    app.add_template_filter(money)
