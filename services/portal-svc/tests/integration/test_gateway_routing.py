"""The gateway routes each public path to its service, never an internal one, sets
X-Forwarded-* itself, limits bodies, and streams Server-Sent Events unbuffered.

The upstreams are small WSGI apps that echo what reached them, so each assertion names the
service that answered; `test_gateway_end_to_end` covers the real services behind it.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

pytestmark = pytest.mark.integration


class Echo:
    """A service stand-in answering `{"service": name, "path": …, "headers": …}`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.release = threading.Event()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/live/stream":
            return self._stream(environ, start_response)
        body = {"service": self.name, "path": request.full_path.rstrip("?"),
                "headers": dict(request.headers), "remote_addr": request.remote_addr,
                "body_length": len(request.get_data())}
        return Response(json.dumps(body), mimetype="application/json")(environ, start_response)

    def _stream(self, environ: dict[str, Any], start_response: Any) -> Any:
        def events() -> Iterator[bytes]:
            yield b"data: first\n\n"
            # The second event waits until the client has read the first: a buffering proxy
            # would hold the first back, and the test would time out instead of passing.
            self.release.wait(timeout=20)
            yield b"data: second\n\n"
        return Response(events(), mimetype="text/event-stream")(environ, start_response)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, Echo]]:
    echoes = {name: Echo(name) for name in ("portal", "auth", "webhook")}
    yield echoes
    for echo in echoes.values():
        echo.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, services: dict[str, Echo]) -> Iterator[str]:
    """One gateway for the module (the `gateway` fixture starts one per test)."""
    from gateway_fixtures import free_port, wait_listening
    from localinfra.gateway import running_gateway

    port = free_port()
    upstreams = {name: echo.address for name, echo in services.items()}
    with running_gateway(tmp_path_factory.mktemp("gateway"), port, upstreams) as base:
        wait_listening(port)
        yield base


def test_the_gateway_fixture_starts_nginx_in_front_of_given_upstreams(
        gateway: Any, services: dict[str, Echo]):
    base = gateway(portal=services["portal"].address)
    assert requests.get(base + "/", timeout=10).json()["service"] == "portal"
    assert requests.get(base + "/auth/v1/login", timeout=10).status_code == 502


@pytest.mark.parametrize(("path", "service"), [
    ("/", "portal"), ("/invoices?status=open", "portal"), ("/portal/invoices/7", "portal"),
    ("/api/v1/invoices", "portal"), ("/healthz", "portal"),
    ("/auth/v1/login", "auth"), ("/auth/v1/qbo/callback?code=c&state=s&realmId=1", "auth"),
    ("/webhooks/v1/tenants/t1/endpoints", "webhook"),
])
def test_each_public_path_reaches_its_service(url: str, path: str, service: str):
    answer = requests.get(url + path, timeout=10).json()
    assert (answer["service"], answer["path"]) == (service, path)


def test_intuit_webhooks_reach_webhook_svc(url: str):
    answer = requests.post(url + "/webhooks/intuit", data=b"{}", timeout=10).json()
    assert answer["service"] == "webhook"


@pytest.mark.parametrize("path", [
    "/internal/v1/tenants/t1/qbo/access-token", "/metrics", "/readyz",
    "/auth/v1/operator/tenants/t1/plan", "/webhooks/other", "/api/../internal/v1/x",
])
def test_internal_routes_do_not_answer_through_the_gateway(url: str, path: str):
    response = requests.get(url + path, timeout=10)
    assert response.status_code == 404
    assert "service" not in response.text


def test_the_services_see_the_real_client_not_a_forged_one(url: str):
    answer = requests.get(url + "/api/v1/x", timeout=10, headers={
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}).json()
    headers = answer["headers"]
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Host"] == url.removeprefix("http://")
    assert headers["X-Request-Id"]


def test_an_oversized_body_is_refused_before_any_service(url: str):
    response = requests.post(url + "/api/v1/invoices", data=b"x" * (1024 * 1024 + 1),
                             timeout=10)
    assert response.status_code == 413


def test_server_sent_events_pass_unbuffered(url: str, services: dict[str, Echo]):
    with requests.get(url + "/live/stream", stream=True, timeout=15,
                      headers={"Accept": "text/event-stream"}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == b"data: first"
        services["portal"].release.set()
        assert [line for line in (next(lines), next(lines), next(lines)) if line] == \
            [b"data: second"]
