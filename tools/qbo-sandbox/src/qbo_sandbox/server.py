"""Serve the emulator with werkzeug's threaded WSGI server, in the foreground or a thread."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, make_server

from .app import create_app
from .options import SandboxOptions
from .sandbox import Sandbox


class RunningServer:
    """A started sandbox plus its HTTP server; `close()` stops both cleanly."""

    def __init__(self, options: SandboxOptions, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = Sandbox(options)
        app = create_app(self.sandbox)
        self.http: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.http.daemon_threads = True  # type: ignore[attr-defined]
        self.oauth_http: BaseWSGIServer | None = None
        if options.oauth_port is not None:
            self.oauth_http = make_server(host, options.oauth_port, app, threaded=True)
            self.oauth_http.daemon_threads = True  # type: ignore[attr-defined]
            self.sandbox.oauth_port = int(self.oauth_http.server_port)
        self.sandbox.start()  # after binding: a busy port leaves no threads behind
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The bound port (useful when port 0 asked the OS to choose)."""
        return int(self.http.server_port)

    @property
    def base_url(self) -> str:
        """http://host:port without a trailing slash."""
        return f"http://{self.http.host}:{self.port}"

    @property
    def oauth_base_url(self) -> str | None:
        """http://host:port of the OAuth port, when OAuth has its own."""
        if self.oauth_http is None:
            return None
        return f"http://{self.oauth_http.host}:{self.oauth_http.server_port}"

    def serve_forever(self) -> None:
        """Block serving requests until `shutdown` is called from another thread (the OAuth
        port, if any, is served from a daemon thread meanwhile)."""
        if self.oauth_http is not None and not self._threads:
            self._start(self.oauth_http, "qbo-sandbox-oauth")
        self.http.serve_forever()

    def start_in_thread(self) -> RunningServer:
        """Serve every port from daemon threads and return at once."""
        for server, name in ((self.oauth_http, "qbo-sandbox-oauth"),
                             (self.http, "qbo-sandbox-http")):
            if server is not None:
                self._start(server, name)
        return self

    def _start(self, server: BaseWSGIServer, name: str) -> None:
        thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        """Stop serving, join the threads, stop webhook delivery and save the data file."""
        servers = [s for s in (self.http, self.oauth_http) if s is not None]
        if self._threads:
            for server in servers:
                server.shutdown()
            for thread in self._threads:
                thread.join(timeout=10)
        for server in servers:
            server.server_close()
        self.sandbox.stop()
