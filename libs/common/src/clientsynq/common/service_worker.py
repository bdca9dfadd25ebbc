"""What every `python -m clientsynq.<svc>.worker` does around its own loops, written once.

A service's worker module defines what runs (a `Worker` with `run()` blocking until `stop()`)
and calls `run_worker` from its `main()`: settings loaded or a clear exit, logging, SIGTERM
and Ctrl-C turned into `stop()`, `/metrics` served when a port is set. `start_thread` is the
one way its background loops start, each given the same stop event.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from clientsynq.common.config import CommonSettings, load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.metrics import serve_metrics


class ServiceSettings(Protocol):
    @property
    def common(self) -> CommonSettings: ...


class Worker(Protocol):
    def run(self) -> None: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=ServiceSettings)
log = logging.getLogger(__name__)


def run_worker(service: str, settings_from_env: Callable[[], S],
               make_worker: Callable[[S], Worker],
               metrics_port: Callable[[S], int | None] = lambda _settings: None) -> None:
    """The worker process's `main()`: returns when the worker has stopped."""
    settings = load_or_exit(settings_from_env)
    configure_logging(f"{service}-worker", settings.common.log_level)
    worker = make_worker(settings)

    def on_signal(signum: int, _frame: object) -> None:
        log.info("worker.stopping", extra={"service": service, "signal": signum})
        worker.stop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    port = metrics_port(settings)
    if port:
        serve_metrics(port)
    worker.run()


class LoopWorker:
    """A worker that is one function of a stop event (it starts and joins its own threads)."""

    def __init__(self, loop: Callable[[threading.Event], None]) -> None:
        self._loop = loop
        self.stop_event = threading.Event()

    def run(self) -> None:
        self._loop(self.stop_event)

    def stop(self) -> None:
        self.stop_event.set()


def start_thread(name: str, target: Callable[[threading.Event], None],
                 stop: threading.Event, daemon: bool = False) -> threading.Thread:
    """A background loop of the worker, started; it returns once `stop` is set."""
    thread = threading.Thread(target=target, args=(stop,), name=name, daemon=daemon)
    thread.start()
    return thread
