"""DNS pinning for webhook POSTs: connect to the address the SSRF check vetted.

requests (urllib3) would resolve the name again when it opens the socket, so a rebinding
DNS server could answer a public address to our check and 127.0.0.1 to the connection.
Here the socket goes to the vetted address while everything else stays on the name: the
URL, the Host header, TLS SNI and the certificate's hostname check (urllib3 takes all
of those from `host`; only `_new_conn` is replaced).

One adapter (a keep-alive pool per host) per vetted address; urllib3's pools are
thread-safe, so the delivery threads share them.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from requests.adapters import HTTPAdapter
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


class PinnedAdapter(HTTPAdapter):
    """A requests transport whose every connection goes to `address`."""

    def __init__(self, address: str, pool_maxsize: int) -> None:
        self.address = address
        super().__init__(pool_connections=16, pool_maxsize=pool_maxsize, max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _classes(self.address)


class PinnedAdapters:
    """The adapter for each vetted address, created on first use (thread-safe)."""

    def __init__(self, pool_maxsize: int) -> None:
        self._maxsize = pool_maxsize
        self._adapters: OrderedDict[str, PinnedAdapter] = OrderedDict()
        self._lock = threading.Lock()

    def for_address(self, address: str) -> PinnedAdapter:
        with self._lock:
            adapter = self._adapters.get(address)
            if adapter is None:
                adapter = self._adapters[address] = PinnedAdapter(address, self._maxsize)
                if len(self._adapters) > MAX_ADAPTERS:
                    self._adapters.popitem(last=False)[1].close()
            self._adapters.move_to_end(address)
            return adapter

    def close(self) -> None:
        with self._lock:
            for adapter in self._adapters.values():
                adapter.close()
            self._adapters.clear()
