"""The one bounded wait every test uses for another process or thread (never a fixed sleep).

Waiting here is for something outside the test's control to happen (a worker consuming, a
server starting), never for time to pass: a test that needs time to pass advances a clock
(`clocks.OffsetClock`).
"""
from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

import requests

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 60,
               what: str = "condition", interval: float = 0.05) -> T:
    """Poll `condition` until it is truthy and return its value; fail with `what` after
    `timeout` seconds. `interval` suits another process; a thread of the test's own process
    that finishes in microseconds is polled with a shorter one (unit tests stay fast)."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)  # polling interval, not a wait for time to pass


def http_ok(url: str, process: subprocess.Popen[bytes] | None = None) -> Callable[[], bool]:
    """A condition for `wait_until`: `url` answers 200 (and `process`, if given, still runs)."""
    def check() -> bool:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process serving {url} exited with {process.returncode}")
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:  # not listening yet, or busy starting
            return False
    return check
