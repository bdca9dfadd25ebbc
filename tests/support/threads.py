"""A service's real web app or worker in a thread of the test process (issue 9: one copy,
not one per service's harness).

- `ServedApp(app)`: a WSGI app served by werkzeug (threaded) on a loopback port; `base_url`;
  `close()` (or use it as a context manager).
- `WorkerThread(worker, name)`: anything with `run()` and `stop()` run in a daemon thread,
  stopped and joined on exit; each service's `ThreadWorker` builds its worker and is one.
"""
from __future__ import annotations

import threading
from typing import Any, Self

JOIN_BOUND = 60  # seconds a stopped worker gets to return from run()


class ServedApp:
    """Shuts down within a short poll: werkzeug's default, half a second, was paid by every
    test that served an app."""

    def __init__(self, app: Any, port: int = 0, name: str = "http") -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=name,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerThread:
    def __init__(self, worker: Any, name: str) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run, name=name, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.worker.stop()
        self.thread.join(timeout=JOIN_BOUND)
