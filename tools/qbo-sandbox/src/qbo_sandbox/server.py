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
        self.http: BaseWSGIServer = make_server(host, port, create_app(self.sandbox),
                                                threaded=True)
        self.http.daemon_threads = True  # type: ignore[attr-defined]
        self.sandbox.start()  # after binding: a busy port leaves no threads behind
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when port 0 asked the OS to choose)."""
        return int(self.http.server_port)

    @property
    def base_url(self) -> str:
        """http://host:port without a trailing slash."""
        return f"http://{self.http.host}:{self.port}"

    def serve_forever(self) -> None:
        """Block serving requests until `shutdown` is called from another thread."""
        self.http.serve_forever()

    def start_in_thread(self) -> RunningServer:
        """Serve from a daemon thread and return at once."""
        self._thread = threading.Thread(target=self.serve_forever, name="qbo-sandbox-http",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, join the thread, stop webhook delivery and save the data file."""
        if self._thread is not None:
            self.http.shutdown()
            self._thread.join(timeout=10)
        self.http.server_close()
        self.sandbox.stop()
