"""The three endpoints every service has, and request ids that follow a request into logs.

`/healthz` says the process is alive (Kubernetes restarts it otherwise); `/readyz` really
asks Kafka and MongoDB (Kubernetes stops sending traffic otherwise); `/metrics` is scraped.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from clientsynq.common.kafka.connection import KafkaConnection
from clientsynq.common.logging import bind_request_id
from clientsynq.common.metrics import exposition, histogram
from flask import Flask, Response, g, jsonify, request

log = logging.getLogger(__name__)

Check = Callable[[], None]
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
LATENCY = histogram("clientsynq_http_request_seconds", "HTTP request latency",
                    ["service", "method", "endpoint", "status"])


def install_observability(app: Flask, *, service: str, checks: Mapping[str, Check]) -> None:
    """Register /healthz, /readyz, /metrics and the request-id middleware on `app`."""
    app.before_request(_start_request)
    app.after_request(lambda response: _finish_request(response, service))
    app.teardown_request(_unbind_request)
    app.add_url_rule("/healthz", "healthz", lambda: jsonify(status="ok", service=service))
    app.add_url_rule("/readyz", "readyz", lambda: _readiness(checks))
    app.add_url_rule("/metrics", "metrics", _metrics)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.request_id_binding = bind_request_id(g.request_id)
    g.request_id_binding.__enter__()


def _finish_request(response: Response, service: str) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is not None:
        LATENCY.labels(service=service, method=request.method,
                       endpoint=request.endpoint or "unmatched",
                       status=str(response.status_code)).observe(time.perf_counter() - started)
    return response


def _unbind_request(_exc: BaseException | None) -> None:
    binding = g.pop("request_id_binding", None)
    if binding is not None:
        binding.__exit__(None, None, None)


def _readiness(checks: Mapping[str, Check]) -> tuple[Response, int]:
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as err:  # noqa: BLE001 - a probe reports any failure as "not ready"
            log.warning("readiness.check_failed", extra={"check": name, "error": str(err)})
            results[name] = f"unavailable: {type(err).__name__}"
    ready = all(v == "ok" for v in results.values())
    return jsonify(status="ready" if ready else "not_ready", checks=results), 200 if ready else 503


def _metrics() -> Response:
    body, content_type = exposition()
    return Response(body, content_type=content_type)


def kafka_check(conn: KafkaConnection, timeout_ms: int = 2000) -> Check:
    """Ready means a broker answered a metadata request, not merely that a port is open."""
    def check() -> None:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=conn.servers, request_timeout_ms=timeout_ms,
                                 client_id=f"{conn.client_id}-readyz", **conn.client_options)
        try:
            admin.list_topics()
        finally:
            admin.close()
    return check


def mongo_check(client: Any) -> Check:
    def check() -> None:
        client.admin.command("ping")
    return check
