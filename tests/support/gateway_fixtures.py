"""The gateway (nginx, `deploy/gateway/nginx.conf`) in front of services a test runs.

Fixture (registered in the root conftest): `gateway`, a factory —
`url = gateway(portal="127.0.0.1:8123", auth="127.0.0.1:8124", webhook=...)` starts nginx
on a free loopback port in front of the given upstreams (any left out answer 502) and
returns its base URL; every gateway started is stopped when the test ends. The plain
function `localinfra.gateway.running_gateway` does the same for scripts and benchmarks.
"""
from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from localinfra.servers import free_port
from waiting import wait_until


def wait_listening(port: int, timeout: float = 15) -> None:
    """Bounded wait for nginx to accept connections."""
    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    wait_until(listening, timeout, f"the gateway to listen on {port}")


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Callable[..., str]]:
    from localinfra.gateway import nginx_binary, running_gateway

    if nginx_binary() is None:
        pytest.fail("nginx is not installed: run `make setup`")
    with ExitStack() as stack:
        def start(**upstreams: str) -> str:
            port = free_port()
            workdir = tmp_path / f"gateway-{port}"
            url = stack.enter_context(running_gateway(workdir, port, upstreams))
            wait_listening(port)
            return url
        yield start
