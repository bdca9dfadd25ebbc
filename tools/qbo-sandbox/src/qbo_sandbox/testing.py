"""Helpers for other packages' tests: run a real sandbox on a free loopback port.

    with running_sandbox(webhook_time_scale=0.001) as sb:
        ctl = sb.control           # SandboxControl
        realm = ctl.create_company(customers=5, invoices=20)["realm_id"]
        requests.get(f"{sb.base_url}/v3/company/{realm}/query", ...)
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import requests

from .control import SandboxControl
from .options import SandboxOptions
from .server import RunningServer


@dataclass(frozen=True)
class SandboxHandle:
    """What a test gets: the base URL and a control client (and the in-process Sandbox)."""

    base_url: str
    control: SandboxControl
    server: RunningServer | None = None
    oauth_base_url: str | None = None  # set when OAuth has a port of its own

    @property
    def discovery_url(self) -> str:
        """Give this to intuit-oauth's AuthClient as `environment`."""
        return f"{self.base_url}/.well-known/openid_sandbox_configuration/"


SUBPROCESS_OPTIONS = frozenset(f.name for f in fields(SandboxOptions)) - {"apps"}
MESSY_OPTIONS: dict[str, Any] = {
    "tie_fraction": 0.3, "shuffle_ties": True, "void_shape": "lines_kept",
    "cdc_cut_order": "live_first", "time_zone": "pacific",
    "webhook_duplicate_rate": 0.3, "webhook_reorder_rate": 0.3, "webhook_drop_rate": 0.2,
    "webhook_first_delay_seconds": 0.5, "webhook_hold_seconds": 1.0,
}


def options_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Options for a shared test sandbox from the environment, so a whole suite can be run
    against the messy QuickBooks: QBO_SANDBOX_MESSY=1 turns MESSY_OPTIONS on, and
    QBO_SANDBOX_OPTIONS='{"cdc_cut_order": "oldest_first"}' (JSON) sets or overrides any
    SandboxOptions field."""
    env = os.environ if environ is None else environ
    options: dict[str, Any] = {}
    if env.get("QBO_SANDBOX_MESSY", "").lower() in ("1", "true", "yes", "on"):
        options.update(MESSY_OPTIONS)
    extra = env.get("QBO_SANDBOX_OPTIONS")
    if extra:
        parsed = json.loads(extra)
        if not isinstance(parsed, dict):
            raise ValueError("QBO_SANDBOX_OPTIONS must be a JSON object")
        options.update(parsed)
    return options


@contextmanager
def running_sandbox(in_subprocess: bool = False, **options: Any) -> Iterator[SandboxHandle]:
    """Start a sandbox (thread by default, or a `qbo-sandbox serve` subprocess) and stop it.

    `options` are SandboxOptions fields, e.g. requests_per_minute=50, webhook_time_scale=0.01.
    QBO_SANDBOX_MESSY / QBO_SANDBOX_OPTIONS in the environment (options_from_env) apply
    underneath them, so a service suite runs against the messy sandbox without edits.
    """
    options = {**options_from_env(), **options}
    if in_subprocess:
        with _subprocess_sandbox(**options) as handle:
            yield handle
        return
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = RunningServer(SandboxOptions(**options)).start_in_thread()
    try:
        yield SandboxHandle(server.base_url, SandboxControl(server.base_url), server,
                            server.oauth_base_url)
    finally:
        server.close()


def free_port() -> int:
    """A port the OS just considered free on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _subprocess_sandbox(**options: Any) -> Iterator[SandboxHandle]:
    port = free_port()
    args = [sys.executable, "-m", "qbo_sandbox", "serve", "--port", str(port),
            "--log-level", "WARNING"]
    flags = {"requests_per_minute": "--rate-limit", "concurrent_requests": "--concurrency-limit",
             "requests_per_second": "--rate-limit-per-second",
             "webhook_batch_seconds": "--webhook-batch-seconds",
             "webhook_time_scale": "--webhook-time-scale", "data_file": "--data-file",
             "demo_seed": "--seed", "time_zone": "--time-zone"}
    for key, value in options.items():
        if key == "demo_company":
            args += ["--demo-company"] if value else []
        elif key in flags:
            args += [flags[key], str(value)]
        elif key in SUBPROCESS_OPTIONS:
            args += ["--option", f"{key}={json.dumps(value)}"]
        else:
            raise TypeError(f"option {key} is not supported in a subprocess")
    process = subprocess.Popen(args, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process)
        yield SandboxHandle(base_url, SandboxControl(base_url))
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"qbo-sandbox exited with {process.returncode}")
        try:
            if requests.get(f"{base_url}/_sandbox/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise TimeoutError(f"qbo-sandbox did not answer on {base_url}")
