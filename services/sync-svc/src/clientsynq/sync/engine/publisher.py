"""Where pages are turned into events: in this process, or in a pool of child processes."""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from clientsynq.common.kafka import EventProducer, KafkaConnection
from clientsynq.sync.engine.pages import (
    Entity,
    LinkReader,
    PageContext,
    PageResult,
    publish_raw_page,
    publish_rows,
)

log = logging.getLogger(__name__)
_child_producer: EventProducer | None = None
_child_links: LinkReader | None = None
LinkOpener = Callable[[], LinkReader]


class PagePublisher:
    """`open_links` (picklable: bootstrap passes the adapter's opener with its settings)
    lets each child process open its own reader of the remembered payment links."""

    def __init__(self, producer: EventProducer, kafka: KafkaConnection, processes: int,
                 links: LinkReader | None = None, open_links: LinkOpener | None = None
                 ) -> None:
        self._producer = producer
        self._links = links
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            # spawn, not fork: the worker has Kafka and Mongo threads a fork would copy
            # in whatever state they were in.
            self._pool = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child, initargs=(kafka, os.getpid(), open_links))

    def publish_raw(self, raw: bytes, ctx: PageContext) -> PageResult:
        if self._pool is None:
            return publish_raw_page(raw, ctx, self._producer, self._links)
        return self._pool.submit(_child_publish, raw, ctx).result()

    def publish_rows(self, rows: list[Entity], ctx: PageContext) -> PageResult:
        """Small batches (CDC answers, webhook fetches) stay in this process."""
        return publish_rows(rows, ctx, self._producer)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _start_child(kafka: KafkaConnection, parent_pid: int,
                 open_links: LinkOpener | None) -> None:
    global _child_producer, _child_links
    _child_producer = EventProducer(kafka)
    if open_links is not None:
        _child_links = open_links()
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True,
                     name="parent-watch").start()


def _exit_with_parent(parent_pid: int) -> None:
    """A worker killed with SIGKILL cannot stop its pool: the children notice and leave."""
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


def _child_publish(raw: bytes, ctx: PageContext) -> PageResult:
    assert _child_producer is not None, "initializer did not run"
    return publish_raw_page(raw, ctx, _child_producer, _child_links)
