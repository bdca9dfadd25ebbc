"""The composition root of portal-svc: the only function that knows concrete classes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from clientsynq.common.auth import (
    JwksCache,
    TokenVerifier,
    check_credential_urls,
    ended_sessions_check,
)
from clientsynq.common.clock import utc_now
from clientsynq.common.kafka import EventProducer
from clientsynq.common.service import Platform, connect_platform
from clientsynq.portal.adapters.auth_api_keys import AuthServiceApiKeys
from clientsynq.portal.adapters.auth_client import AuthClient
from clientsynq.portal.adapters.mongo_branding import MongoBranding
from clientsynq.portal.adapters.mongo_idempotency import MongoIdempotency
from clientsynq.portal.adapters.mongo_invitation_ledger import MongoInvitationLedger
from clientsynq.portal.adapters.mongo_rate_limiter import MongoRateLimiter
from clientsynq.portal.adapters.mongo_sync_requests import MongoSyncRequests
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.sync_controls_client import SyncControlsClient
from clientsynq.portal.adapters.verified_tokens import VerifiedTokens
from clientsynq.portal.adapters.webhook_client import WebhookClient
from clientsynq.portal.adapters.wiring import ensure_read_model_indexes, mongo_read_models
from clientsynq.portal.api.page_cache import PageCache
from clientsynq.portal.api.ports import ApiDeps
from clientsynq.portal.config import Settings
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.services.commands import CommandDeps

RATE_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform
    read: ReadModels  # read models + clock: pass to clientsynq.portal.services.queries
    store: MongoReadStore
    # access JWTs (session cookie or bearer); keys from auth-svc's JWKS
    verifier: TokenVerifier | VerifiedTokens
    auth_client: AuthClient  # auth-svc's public routes, called with the user's own token
    invitation_ledger: MongoInvitationLedger
    branding: MongoBranding  # Pro colour and logo (base database)
    api: ApiDeps  # the public API /api/v1: commands, API keys, idempotency, rate limits
    # webhook-svc's endpoints API, called with the user's own token (Settings → Webhooks)
    webhook_client: WebhookClient = field(default_factory=lambda: WebhookClient(
        "http://127.0.0.1:8083"))
    # sync-svc's Enterprise sync controls, called with our secret for sync-svc only
    sync_controls: SyncControlsClient = field(default_factory=lambda: SyncControlsClient(
        "http://127.0.0.1:8082", ""))


def build(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Deps:
    check_credential_urls(settings.auth.url, settings.sync_url)  # the service secret goes there
    platform = connect_platform(settings.common)
    store = MongoReadStore(platform.mongo, settings.common.mongo.database)
    auth = settings.auth
    read = mongo_read_models(store, clock)
    sessions = ended_sessions_check(auth.url, "portal-svc", settings.api.service_secret)
    verifier = TokenVerifier(JwksCache(auth.jwks_url), auth.jwt_issuer, auth.jwt_audience,
                             sessions=sessions)
    return Deps(settings=settings, platform=platform, read=read, store=store,
                verifier=VerifiedTokens(verifier, sessions),
                auth_client=AuthClient(auth.url), invitation_ledger=MongoInvitationLedger(store),
                branding=MongoBranding(store),
                api=build_api(settings, store, read),
                webhook_client=WebhookClient(settings.webhook_url),
                sync_controls=SyncControlsClient(settings.sync_url, settings.sync_secret))


def ensure_portal_indexes(deps: Deps | WorkerDeps) -> None:
    """For the index job (services/ensure_indexes.py); the worker also runs it at start."""
    ensure_read_model_indexes(deps.store)


def build_api(settings: Settings, store: MongoReadStore, read: ReadModels) -> ApiDeps:
    api = settings.api
    return ApiDeps(
        commands=CommandDeps(read=read, sync_requests=MongoSyncRequests(store)),
        api_keys=AuthServiceApiKeys(settings.auth.url, api.service_secret,
                                    ttl_seconds=api.api_key_cache_seconds),
        idempotency=MongoIdempotency(store),
        limiter=MongoRateLimiter(store, api.rate_limit_per_minute, RATE_WINDOW_SECONDS),
        window_seconds=RATE_WINDOW_SECONDS, pages=PageCache(
            api.page_cache_entries, api.page_cache_max_age_seconds))


@dataclass(frozen=True)
class WorkerDeps:
    """The projection worker: read models to write, a producer for dead letters and the
    outbox relay, the clock freshness is measured with."""

    settings: Settings
    platform: Platform
    store: MongoReadStore
    read: ReadModels
    producer: EventProducer
    clock: Callable[[], datetime]


def build_worker(settings: Settings, clock: Callable[[], datetime] = utc_now) -> WorkerDeps:
    platform = connect_platform(settings.common)
    store = MongoReadStore(platform.mongo, settings.common.mongo.database)
    return WorkerDeps(settings=settings, platform=platform, store=store,
                      read=mongo_read_models(store, clock),
                      producer=EventProducer(platform.kafka), clock=clock)
