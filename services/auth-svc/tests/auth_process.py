"""auth-svc as a real gunicorn process on a free loopback port, for tests that need HTTP
between processes (other replicas, other services' verifiers)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from qbo_sandbox.testing import free_port
from waiting import http_ok, wait_until


@contextmanager
def auth_process(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "12", "--log-level", "warning", "clientsynq.auth.app:create_app_from_env()"],
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    wait_until(http_ok(f"{base}/healthz", process), timeout, f"auth-svc at {base}")
