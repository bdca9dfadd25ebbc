"""The composition root of webhook-svc: the only place that knows concrete classes.

`build` wires what the web app needs and opens no connection (pymongo and kafka-python
connect lazily); `build_worker` adds the Kafka producer, which only the worker uses.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from clientsynq.common.kafka import EventProducer
from clientsynq.common.lease import lease_indexes
from clientsynq.common.mongo import ensure_indexes
from clientsynq.common.service import Platform, connect_platform
from clientsynq.webhooks.adapters.mongo_inbox import (
    CHANGES,
    MongoChangeLog,
    MongoNotificationInbox,
    MongoRealmDirectory,
    inbox_indexes,
)
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.domain.ports import Clock
from clientsynq.webhooks.services.intuit import IntuitInbound

OUTBOX_COLLECTIONS = (CHANGES,)
LEASES = "leases"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform
    intuit: IntuitInbound
    clock: Clock


@dataclass(frozen=True)
class WorkerDeps:
    base: Deps
    producer: EventProducer
    stop: threading.Event

    @property
    def settings(self) -> Settings:
        return self.base.settings


def build(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Deps:
    platform = connect_platform(settings.common)
    db = platform.db
    intuit = IntuitInbound(tokens=settings.intuit_tokens, inbox=MongoNotificationInbox(db),
                           changes=MongoChangeLog(db), realms=MongoRealmDirectory(db),
                           clock=clock,
                           retention=timedelta(seconds=settings.inbox_retention_seconds))
    return Deps(settings=settings, platform=platform, intuit=intuit, clock=clock)


def build_worker(settings: Settings, stop: threading.Event | None = None) -> WorkerDeps:
    base = build(settings)
    return WorkerDeps(base=base, producer=EventProducer(base.platform.kafka),
                      stop=stop or threading.Event())


def ensure_webhook_indexes(deps: Deps) -> None:
    """At worker start (and by tests); safe with several replicas starting at once."""
    ensure_indexes(deps.platform.db, {**inbox_indexes(), LEASES: lease_indexes()})
