"""DNS pinning for webhook POSTs: connect to the address the SSRF check vetted.

requests (urllib3) would resolve the name again when it opens the socket, so a rebinding
DNS server could answer a public address to our check and 127.0.0.1 to the connection.
Here the socket goes to the vetted address while everything else stays on the name: the
URL, the Host header, TLS SNI and the certificate's hostname check (urllib3 takes all
of those from `host`; only `_new_conn` is replaced).

One urllib3 pool manager (a keep-alive pool per host) per vetted address; urllib3's pools
are thread-safe, so the delivery threads share them. urllib3 directly, not through
requests: a POST cost about half the CPU (~280 against ~540 µs on this machine, measured
2026-12-05), which is most of a webhook's cost in this process. Certificates are checked
against the same CA bundle requests used (certifi).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import certifi
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

MAX_ADAPTERS = 256  # addresses kept open at once; the least recently used is closed


def _pinned_socket(conn: HTTPConnection, address: str) -> Any:
    """urllib3's `_new_conn`, with the vetted address instead of a fresh lookup."""
    try:
        return connection.create_connection((address, conn.port), conn.timeout,
                                            source_address=conn.source_address,
                                            socket_options=conn.socket_options)
    except TimeoutError as err:
        raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from err
    except OSError as err:
        raise NewConnectionError(conn, f"Failed to connect to {conn.host}: {err}") from err


def _classes(address: str) -> dict[str, type[HTTPConnectionPool]]:
    class PinnedHTTP(HTTPConnection):
        def _new_conn(self) -> Any:
            return _pinned_socket(self, address)

    class PinnedHTTPS(HTTPSConnection):
        def _new_conn(self) -> Any:
            return _pinned_socket(self, address)

    class HttpPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTP

    class HttpsPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPS

    return {"http": HttpPool, "https": HttpsPool}


def pinned_pools(address: str, pool_maxsize: int) -> PoolManager:
    """A pool manager whose every connection goes to `address`; never retries, never
    follows a redirect (callers pass `retries=False`, `redirect=False`)."""
    manager = PoolManager(num_pools=16, maxsize=pool_maxsize, block=False, retries=False,
                          cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
    manager.pool_classes_by_scheme = _classes(address)
    return manager


class PinnedAdapters:
    """The pool manager for each vetted address, created on first use (thread-safe)."""

    def __init__(self, pool_maxsize: int) -> None:
        self._maxsize = pool_maxsize
        self._managers: OrderedDict[str, PoolManager] = OrderedDict()
        self._lock = threading.Lock()

    def for_address(self, address: str) -> PoolManager:
        with self._lock:
            manager = self._managers.get(address)
            if manager is None:
                manager = self._managers[address] = pinned_pools(address, self._maxsize)
                if len(self._managers) > MAX_ADAPTERS:
                    self._managers.popitem(last=False)[1].clear()
            self._managers.move_to_end(address)
            return manager

    def close(self) -> None:
        with self._lock:
            for manager in self._managers.values():
                manager.clear()
            self._managers.clear()
