"""Settings of portal-svc: the only place its environment variables are read."""
from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from clientsynq.common.auth.service import MIN_SECRET_LENGTH
from clientsynq.common.config import CommonSettings, EnvReader

SYNC_PAIR_VARIABLE = "SERVICE_SECRET_PORTAL_SYNC"  # one secret per caller→callee pair


@dataclass(frozen=True)
class AuthSettings:
    """Where auth-svc answers (JWKS, and server-side calls made with a user's own token) and
    what its JWTs must say; issuer and audience are shared names, the same in every service."""

    url: str
    jwt_issuer: str
    jwt_audience: str

    @property
    def jwks_url(self) -> str:
        return f"{self.url.rstrip('/')}/.well-known/jwks.json"

    @classmethod
    def from_reader(cls, reader: EnvReader) -> AuthSettings:
        shared = reader.with_prefix("")
        return cls(url=reader.url("AUTH_URL", "http://127.0.0.1:8081"),
                   jwt_issuer=shared.optional("JWT_ISSUER", "clientsynq-auth") or "",
                   jwt_audience=shared.optional("JWT_AUDIENCE", "clientsynq") or "")


@dataclass(frozen=True)
class ApiSettings:
    """The public API `/api/v1` and the projection worker."""

    service_secret: str = field(repr=False)  # checks Enterprise API keys with auth-svc
    rate_limit_per_minute: int = 600
    api_key_cache_seconds: float = 30.0
    worker_metrics_port: int = 9104
    page_cache_entries: int = 512  # invoice list pages kept per process (api/page_cache.py)
    page_cache_max_age_seconds: float = 60.0  # and served for at most this long

    @classmethod
    def from_reader(cls, reader: EnvReader) -> ApiSettings:
        shared = reader.with_prefix("")
        return cls(
            service_secret=shared.optional("SERVICE_SECRET_PORTAL", "") or "",
            rate_limit_per_minute=reader.integer("API_RATE_LIMIT_PER_MINUTE", 600, min=1),
            api_key_cache_seconds=reader.duration_seconds("API_KEY_CACHE", 30.0, min=0,
                                                          max=300),
            worker_metrics_port=reader.integer("METRICS_PORT", 9104, min=0, max=65535),
            page_cache_entries=reader.integer("API_PAGE_CACHE_ENTRIES", 512, min=0,
                                              max=100_000),
            page_cache_max_age_seconds=reader.duration_seconds("API_PAGE_CACHE_MAX_AGE", 60.0,
                                                               min=0, max=3600))


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    auth: AuthSettings
    api: ApiSettings = field(default_factory=lambda: ApiSettings(service_secret=""))
    trusted_proxy_hops: int = 0  # 1 behind the gateway: X-Forwarded-* of one proxy trusted
    # Where browsers open the pages (the gateway): the one Origin portal's POSTs accept.
    public_url: str = "http://127.0.0.1:8080"
    # webhook-svc: Settings → Webhooks reads endpoints and deliveries with the user's token.
    webhook_url: str = "http://127.0.0.1:8083"
    # sync-svc: Settings → Sync controls (Enterprise), with the service credential.
    sync_url: str = "http://127.0.0.1:8082"
    # Our secret towards sync-svc, never the one auth-svc checks (SERVICE_SECRET_PORTAL):
    # sync-svc holds this one to check our calls, and must not be able to speak as us at
    # auth-svc's internal API with it (issue 12, finding 10). "": the controls say so.
    sync_secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on first use."""
        reader = EnvReader(env, prefix="PORTAL_")
        common = CommonSettings.from_reader(reader, "portal", default_database="portal")
        api = ApiSettings.from_reader(reader)
        settings = cls(common=common, auth=AuthSettings.from_reader(reader),
                       api=api,
                       trusted_proxy_hops=reader.integer("TRUSTED_PROXY_HOPS", 0, min=0, max=5),
                       public_url=reader.url("PUBLIC_URL", "http://127.0.0.1:8080"),
                       webhook_url=reader.url("WEBHOOK_URL", "http://127.0.0.1:8083"),
                       sync_url=reader.url("SYNC_URL", "http://127.0.0.1:8082"),
                       sync_secret=_sync_secret(reader, api.service_secret))
        reader.raise_if_invalid()
        return settings


def _sync_secret(reader: EnvReader, auth_secret: str) -> str:
    """``SERVICE_SECRET_PORTAL_SYNC``: long enough for sync-svc's check, and not our secret
    for auth-svc copied over (that would hand sync-svc our identity at auth-svc again)."""
    shared = reader.with_prefix("")
    value = shared.optional(SYNC_PAIR_VARIABLE, "") or ""
    if value and len(value) < MIN_SECRET_LENGTH:
        shared.add_problem(SYNC_PAIR_VARIABLE, f"must be at least {MIN_SECRET_LENGTH} characters")
    elif value and hmac.compare_digest(value.encode(), auth_secret.encode()):
        shared.add_problem(SYNC_PAIR_VARIABLE, "must differ from SERVICE_SECRET_PORTAL: sync-svc "
                           "holds it and could call auth-svc as portal-svc")
    return value
