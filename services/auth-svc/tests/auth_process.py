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

PUBLIC_APP = "clientsynq.auth.app:create_app_from_env()"
INTERNAL_APP = "clientsynq.auth.app:create_internal_app_from_env()"


@contextmanager
def auth_process(env: dict[str, str], app: str = PUBLIC_APP) -> Iterator[str]:
    """``app``: the public listener, or INTERNAL_APP for the internal one."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "12", "--log-level", "warning", app],
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
