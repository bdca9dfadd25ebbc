"""Prometheus helpers that tolerate being asked twice for the same metric.

Tests build many apps in one process and modules may be imported under two names; the
default registry refuses a second registration, so metrics are get-or-create by name.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, cast

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

_lock = threading.Lock()
_metrics: dict[str, Any] = {}


def _get_or_create(kind: type, name: str, doc: str, labels: Sequence[str], **kw: Any) -> Any:
    with _lock:
        existing = _metrics.get(name)
        if existing is None:
            existing = kind(name, doc, list(labels), registry=REGISTRY, **kw)
            _metrics[name] = existing
        return existing


def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
    return cast(Counter, _get_or_create(Counter, name, doc, labels))


def gauge(name: str, doc: str, labels: Sequence[str] = ()) -> Gauge:
    return cast(Gauge, _get_or_create(Gauge, name, doc, labels))


def histogram(name: str, doc: str, labels: Sequence[str] = (),
              buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS) -> Histogram:
    return cast(Histogram, _get_or_create(Histogram, name, doc, labels, buckets=tuple(buckets)))


def exposition() -> tuple[bytes, str]:
    """Body and content type for a `/metrics` response."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:
    """Workers have no Flask app; they expose /metrics on a port of their own."""
    start_http_server(port, addr=addr, registry=REGISTRY)
