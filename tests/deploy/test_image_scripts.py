"""The scripts every image carries: its health check and its gunicorn settings."""
from __future__ import annotations

import http.server
import os
import runpy
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"


@pytest.fixture
def answering_url() -> Iterator[str]:
    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


def _healthcheck(**env: str) -> int:
    done = subprocess.run([sys.executable, str(SERVICES / "healthcheck.py")],
                          env={**os.environ, **env}, capture_output=True, timeout=20,
                          check=False)
    return done.returncode


def test_healthy_only_when_the_url_answers_200(answering_url: str) -> None:
    assert _healthcheck(HEALTHCHECK_URL=f"{answering_url}/healthz") == 0
    assert _healthcheck(HEALTHCHECK_URL=f"{answering_url}/readyz") == 1
    port = answering_url.rsplit(":", 1)[1]
    assert _healthcheck(HEALTHCHECK_URL="", PORT=port) == 0  # web default: /healthz on PORT


def test_unhealthy_when_nothing_listens() -> None:
    assert _healthcheck(HEALTHCHECK_URL="http://127.0.0.1:9/healthz") == 1


def test_gunicorn_settings_come_from_the_image_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_MODULE", "clientsynq.sync.app:create_app_from_env()")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(SERVICES / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "clientsynq.sync.app:create_app_from_env()"
    assert settings["bind"] == "0.0.0.0:8123"
    assert settings["workers"] == 3
    assert "%(q)s" not in settings["access_log_format"]  # no query strings in logs
    assert "%(r)s" not in settings["access_log_format"]
