"""The composition root of sync-svc: the only place that knows concrete classes.

`build` wires what the web app needs (Mongo stores, auth-svc client) and opens no
connection; `build_worker` adds what only the worker uses (Kafka producer, QBO client,
page publisher), so gunicorn workers never start Kafka producers or child processes.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from clientsynq.common.auth import ServiceCredentialCheck, check_credential_urls
from clientsynq.common.kafka import EventProducer
from clientsynq.common.lease import lease_indexes
from clientsynq.common.mongo import ensure_indexes
from clientsynq.common.service import Platform, connect_platform
from clientsynq.sync.adapters.commands import COLLECTION as COMMANDS
from clientsynq.sync.adapters.commands import CommandLedger, command_indexes
from clientsynq.sync.adapters.payment_links import COLLECTION as LINKS
from clientsynq.sync.adapters.payment_links import (
    PaymentLinks,
    link_indexes,
    open_payment_links,
)
from clientsynq.sync.adapters.qbo_client import QboClient
from clientsynq.sync.adapters.rate_limiter import RealmLimiter
from clientsynq.sync.adapters.runs import RESULTS, RunStore, run_indexes
from clientsynq.sync.adapters.schedule_claims import COLLECTION as CLAIMS
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims, claim_indexes
from clientsynq.sync.adapters.tenants import COLLECTION as TENANTS
from clientsynq.sync.adapters.tenants import TenantStore, tenant_indexes
from clientsynq.sync.adapters.token_client import TokenClient
from clientsynq.sync.config import Settings
from clientsynq.sync.domain.errors import TenantNotKnown
from clientsynq.sync.engine.names import TermCache
from clientsynq.sync.engine.publisher import PagePublisher
from pymongo.collection import Collection

OUTBOX_COLLECTIONS = (RESULTS, CLAIMS, COMMANDS)
LEASES = "leases"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform
    tenants: TenantStore
    runs: RunStore
    claims: ScheduleClaims
    tokens: TokenClient
    service_check: ServiceCredentialCheck

    @property
    def leases(self) -> Collection[Any]:
        return self.platform.db[LEASES]


@dataclass(frozen=True)
class WorkerDeps:
    base: Deps
    producer: EventProducer
    qbo: QboClient
    publisher: PagePublisher
    ledger: CommandLedger
    terms: TermCache
    links: PaymentLinks
    holder: str
    stop: threading.Event
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def settings(self) -> Settings:
        return self.base.settings

    def plan_of(self, tenant_id: str) -> str:
        return plan_of(self.base.tokens, tenant_id)


def plan_of(tokens: TokenClient, tenant_id: str) -> str:
    """The tenant's plan as auth-svc says it now (never cached: a downgrade is at once);
    a tenant auth-svc no longer knows has no paid plan."""
    try:
        return tokens.tenant(tenant_id).plan
    except TenantNotKnown:
        return "basic"


def build(settings: Settings) -> Deps:
    check_credential_urls(settings.auth_url)  # the service secret travels there
    platform = connect_platform(settings.common)
    return Deps(settings=settings, platform=platform, tenants=TenantStore(platform.db),
                runs=RunStore(platform.db), claims=ScheduleClaims(platform.db),
                tokens=TokenClient(settings.auth_url, settings.service_secret),
                service_check=ServiceCredentialCheck(
                    {"portal-svc": settings.portal_secret},
                    previous=({"portal-svc": settings.portal_previous_secret}
                              if settings.portal_previous_secret else None)))


def build_worker(settings: Settings, stop: threading.Event | None = None) -> WorkerDeps:
    base = build(settings)
    producer = EventProducer(base.platform.kafka)
    limiter = RealmLimiter(settings.qbo.requests_per_minute, settings.qbo.concurrent_requests,
                           settings.qbo.requests_per_second, unseen_first_second=True)
    return WorkerDeps(
        base=base, producer=producer, qbo=QboClient(settings.qbo, base.tokens, limiter),
        publisher=PagePublisher(producer, base.platform.kafka, settings.publish_processes,
                                PaymentLinks(base.platform.db),
                                partial(open_payment_links, settings.common.mongo.uri,
                                        settings.common.mongo.database)),
        ledger=CommandLedger(base.platform.db, settings.command_retry_initial_seconds),
        terms=TermCache(), links=PaymentLinks(base.platform.db),
        holder=f"sync-{uuid.uuid4().hex[:12]}", stop=stop or threading.Event())


def ensure_sync_indexes(deps: Deps) -> None:
    """At worker start; safe with several replicas starting at once."""
    ensure_indexes(deps.platform.db, {TENANTS: tenant_indexes(), CLAIMS: claim_indexes(),
                                      COMMANDS: command_indexes(), LEASES: lease_indexes(),
                                      LINKS: link_indexes(),
                                      **run_indexes()})
