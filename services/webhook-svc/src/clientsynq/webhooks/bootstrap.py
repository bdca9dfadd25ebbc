"""The composition root of webhook-svc: the only place that knows concrete classes.

`build` wires what the web app needs and opens no connection (pymongo, kafka-python and
the JWKS cache connect lazily); `build_worker` adds the Kafka producer and the delivery
leases, which only the worker uses.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from clientsynq.common.auth import (
    JwksCache,
    TokenVerifier,
    check_credential_urls,
    ended_sessions_check,
)
from clientsynq.common.clock import utc_now
from clientsynq.common.kafka import EventProducer
from clientsynq.common.lease import lease_indexes
from clientsynq.common.mail import SmtpMailer
from clientsynq.common.mongo import ensure_indexes
from clientsynq.common.service import Platform, connect_platform
from clientsynq.webhooks.adapters.api_keys import AuthApiKeyVerifier
from clientsynq.webhooks.adapters.http_sender import HttpSender
from clientsynq.webhooks.adapters.leases import MongoEndpointLeases
from clientsynq.webhooks.adapters.legacy_deliveries import MongoLegacyDeliveries
from clientsynq.webhooks.adapters.mongo_deliveries import MongoDeliveryStore, delivery_indexes
from clientsynq.webhooks.adapters.mongo_endpoints import MongoEndpointStore, endpoint_indexes
from clientsynq.webhooks.adapters.mongo_inbox import (
    CHANGES,
    MongoChangeLog,
    MongoNotificationInbox,
    MongoRealmDirectory,
    inbox_indexes,
)
from clientsynq.webhooks.adapters.owners import AuthOwnerDirectory
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.domain.ports import Clock, LegacyDeliveries
from clientsynq.webhooks.services.intuit import IntuitInbound
from clientsynq.webhooks.services.outbound import Outbound

OUTBOX_COLLECTIONS = (CHANGES,)
LEASES = "leases"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform
    intuit: IntuitInbound
    outbound: Outbound
    check_url: Callable[[str], None]
    verifier: TokenVerifier
    api_keys: AuthApiKeyVerifier
    clock: Clock


@dataclass(frozen=True)
class WorkerDeps:
    base: Deps
    producer: EventProducer
    leases: MongoEndpointLeases
    legacy: LegacyDeliveries
    stop: threading.Event

    @property
    def settings(self) -> Settings:
        return self.base.settings


def build(settings: Settings, clock: Clock = utc_now) -> Deps:
    check_credential_urls(settings.auth_url)  # the service secret travels there
    platform = connect_platform(settings.common)
    db = platform.db
    intuit = IntuitInbound(tokens=settings.intuit_tokens, inbox=MongoNotificationInbox(db),
                           changes=MongoChangeLog(db), realms=MongoRealmDirectory(db),
                           clock=clock,
                           retention=timedelta(seconds=settings.inbox_retention_seconds))
    sender = HttpSender(settings.delivery.allowed_hosts, pool_maxsize=settings.delivery.workers)
    outbound = Outbound(endpoints=MongoEndpointStore(db, settings.key_ring()),
                        deliveries=MongoDeliveryStore(db), sender=sender,
                        mailer=SmtpMailer(settings.mail), clock=clock,
                        settings=settings.delivery,
                        owners=AuthOwnerDirectory(settings.auth_url, settings.service_secret))
    verifier = TokenVerifier(JwksCache(f"{settings.auth_url}/.well-known/jwks.json"),
                             settings.jwt_issuer, settings.jwt_audience,
                             sessions=ended_sessions_check(settings.auth_url, "webhook-svc",
                                                           settings.service_secret))
    return Deps(settings=settings, platform=platform, intuit=intuit, outbound=outbound,
                check_url=sender.check, verifier=verifier,
                api_keys=AuthApiKeyVerifier(settings.auth_url, settings.service_secret),
                clock=clock)


def build_worker(settings: Settings, stop: threading.Event | None = None) -> WorkerDeps:
    base = build(settings)
    leases = MongoEndpointLeases(base.platform.db[LEASES], f"webhook-{uuid.uuid4().hex[:12]}",
                                 settings.delivery.lease_seconds)
    return WorkerDeps(base=base, producer=EventProducer(base.platform.kafka), leases=leases,
                      legacy=MongoLegacyDeliveries(base.platform.db),
                      stop=stop or threading.Event())


def ensure_webhook_indexes(deps: Deps) -> None:
    """At worker start (and by tests); safe with several replicas starting at once."""
    ensure_indexes(deps.platform.db, {**inbox_indexes(), **endpoint_indexes(),
                                      **delivery_indexes(), LEASES: lease_indexes()})
