"""Settings of auth-svc: the only place its environment variables are read.

Secrets shared with other services (service credentials, the token encryption ring, the
QuickBooks app keys) use the unprefixed names the deployment already defines; settings
only auth-svc reads carry the ``AUTH_`` prefix.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from clientsynq.common.auth.origin import normalize_origin
from clientsynq.common.config import CommonSettings, EnvReader
from clientsynq.common.crypto import KeyRing, KeyRingError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SERVICE_SECRET_VARIABLES = {"SERVICE_SECRET_SYNC": "sync-svc",
                            "SERVICE_SECRET_PORTAL": "portal-svc",
                            "SERVICE_SECRET_WEBHOOK": "webhook-svc"}


@dataclass(frozen=True)
class QboSettings:
    """Where Intuit is, and the app keys ClientSynq is registered with."""

    client_id: str
    client_secret: str = field(repr=False)
    discovery_url: str
    api_base_url: str
    scopes: tuple[str, ...]
    http_timeout_seconds: float


@dataclass(frozen=True)
class SessionSettings:
    issuer: str
    audience: str
    access_ttl_seconds: float
    refresh_ttl_seconds: float
    client_access_ttl_seconds: float
    cookie_secure: bool
    signing_keys_dir: str
    signing_active_kid: str | None
    generate_signing_key: bool


@dataclass(frozen=True)
class LoginPolicy:
    """Lockout and rate limits; the defaults are the ones promised in the README."""

    max_failures: int
    lock_seconds: float
    ip_attempts_per_minute: int
    argon2_time_cost: int
    argon2_memory_kib: int
    email_attempts_per_minute: int = 10


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None = field(repr=False)
    sender: str


@dataclass(frozen=True)
class RefreshPolicy:
    """When a QBO token is refreshed: on demand near expiry, and ahead of the rolling expiry."""

    access_margin_seconds: float
    idle_refresh_after_seconds: float
    refresh_expiry_margin_seconds: float
    worker_interval_seconds: float
    lease_seconds: float
    wait_for_holder_seconds: float


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    public_url: str
    portal_public_url: str
    portal_qbo_settings_url: str
    qbo: QboSettings
    sessions: SessionSettings
    login: LoginPolicy
    mail: MailSettings
    refresh: RefreshPolicy
    token_keys_spec: str = field(repr=False)
    token_active_key: str
    service_secrets: Mapping[str, str] = field(repr=False)
    operator_secret: str | None = field(repr=False)
    previous_service_secrets: Mapping[str, str] = field(repr=False, default_factory=dict)
    oauth_state_ttl_seconds: float = 600
    invitation_ttl_seconds: float = 7 * 86400
    trusted_proxy_hops: int = 0
    public_origins: tuple[str, ...] = ()
    internal_api_on_public: bool = True
    signup_confirmation: bool = True
    worker_metrics_port: int = 0  # the worker's /metrics (AUTH_WORKER_METRICS_PORT); 0: none

    @property
    def qbo_redirect_uri(self) -> str:
        return f"{self.public_url}/auth/v1/qbo/callback"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on first use."""
        reader = EnvReader(env, prefix="AUTH_")
        shared = reader.with_prefix("")
        public_url = reader.url("PUBLIC_URL", "http://127.0.0.1:8081")
        portal_url = shared.url("PORTAL_PUBLIC_URL", "http://127.0.0.1:8080")
        settings = cls(
            common=CommonSettings.from_reader(reader, "auth", default_database="auth"),
            public_url=public_url,
            portal_public_url=portal_url,
            portal_qbo_settings_url=reader.url("PORTAL_QBO_SETTINGS_URL",
                                               f"{portal_url}/settings/quickbooks"),
            qbo=_qbo(reader, shared),
            sessions=_sessions(reader, public_url),
            login=_login(reader),
            mail=_mail(shared),
            refresh=_refresh(reader),
            token_keys_spec=shared.required("TOKEN_ENCRYPTION_KEYS", secret=True),
            token_active_key=shared.required("TOKEN_ENCRYPTION_ACTIVE_KEY"),
            service_secrets=_service_secrets(shared),
            previous_service_secrets=_previous_service_secrets(shared),
            operator_secret=reader.optional("OPERATOR_SECRET"),
            oauth_state_ttl_seconds=reader.duration_seconds("OAUTH_STATE_TTL", 600, min=60),
            invitation_ttl_seconds=reader.duration_seconds("INVITATION_TTL", 7 * 86400, min=60),
            trusted_proxy_hops=reader.integer("TRUSTED_PROXY_HOPS", 0, min=0, max=5),
            public_origins=_public_origins(reader, public_url, portal_url),
            # false: /internal/v1 and the operator API only on the listener of
            # create_internal_app_from_env(); only loopback may keep them on the public one.
            internal_api_on_public=reader.boolean("INTERNAL_API_ON_PUBLIC",
                                                  _is_loopback(public_url)),
            # On by default wherever real people sign up; loopback development keeps the
            # one-step sign-up unless asked (the demo and the test stacks rely on it), and
            # only loopback may turn it off (_check_cookie_security).
            signup_confirmation=reader.boolean("SIGNUP_CONFIRMATION",
                                               not _is_loopback(public_url)),
            worker_metrics_port=reader.integer("WORKER_METRICS_PORT", 0, min=0, max=65535),
        )
        _check_cookie_security(reader, settings)
        _check_argon2(reader, settings)
        _check_key_ring(shared, settings)
        reader.raise_if_invalid()
        return settings


def _qbo(reader: EnvReader, shared: EnvReader) -> QboSettings:
    base = shared.url("QBO_BASE_URL")  # the Accounting API; the sandbox serves OAuth there too
    scopes = reader.csv_list("QBO_SCOPES", ("com.intuit.quickbooks.accounting",))
    if "com.intuit.quickbooks.accounting" not in scopes:
        reader.add_problem("QBO_SCOPES", "must include com.intuit.quickbooks.accounting")
    return QboSettings(
        client_id=shared.required("QBO_CLIENT_ID"),
        client_secret=shared.required("QBO_CLIENT_SECRET", secret=True),
        discovery_url=shared.url("QBO_DISCOVERY_URL", f"{base}/.well-known/openid_configuration"),
        api_base_url=base,
        scopes=scopes,
        http_timeout_seconds=reader.duration_seconds("QBO_HTTP_TIMEOUT", 15, min=1, max=120),
    )


def _sessions(reader: EnvReader, public_url: str) -> SessionSettings:
    shared = reader.with_prefix("")
    secure_default = urlsplit(public_url).scheme == "https"
    return SessionSettings(
        issuer=shared.optional("JWT_ISSUER", "clientsynq-auth") or "",
        audience=shared.optional("JWT_AUDIENCE", "clientsynq") or "",
        access_ttl_seconds=reader.duration_seconds("ACCESS_TOKEN_TTL", 900, min=30, max=3600),
        refresh_ttl_seconds=reader.duration_seconds("REFRESH_TOKEN_TTL", 30 * 86400, min=300),
        client_access_ttl_seconds=reader.duration_seconds("CLIENT_ACCESS_TOKEN_TTL", 3600,
                                                          min=30, max=86400),
        cookie_secure=reader.boolean("COOKIE_SECURE", secure_default),
        signing_keys_dir=reader.optional("SIGNING_KEYS_DIR", ".local/auth/signing-keys") or "",
        signing_active_kid=reader.optional("SIGNING_ACTIVE_KID"),
        # A developer's first `make run` just works; a real deployment mounts its keys.
        generate_signing_key=reader.boolean("GENERATE_SIGNING_KEY", _is_loopback(public_url)),
    )


def _login(reader: EnvReader) -> LoginPolicy:
    return LoginPolicy(
        max_failures=reader.integer("LOGIN_MAX_FAILURES", 5, min=1, max=100),
        lock_seconds=reader.duration_seconds("LOGIN_LOCK", 900, min=1),
        ip_attempts_per_minute=reader.integer("LOGIN_IP_ATTEMPTS_PER_MINUTE", 30, min=1),
        email_attempts_per_minute=reader.integer("EMAIL_ATTEMPTS_PER_MINUTE", 10, min=1),
        argon2_time_cost=reader.integer("ARGON2_TIME_COST", 3, min=1, max=20),
        argon2_memory_kib=reader.integer("ARGON2_MEMORY_KIB", 65536, min=8, max=1 << 21),
    )


def _mail(shared: EnvReader) -> MailSettings:
    return MailSettings(
        host=shared.optional("SMTP_HOST", "127.0.0.1") or "",
        port=shared.integer("SMTP_PORT", 1025, min=1, max=65535),
        starttls=shared.boolean("SMTP_STARTTLS", False),
        username=shared.optional("SMTP_USERNAME"),
        password=shared.optional("SMTP_PASSWORD"),
        sender=shared.optional("MAIL_FROM", "ClientSynq <no-reply@clientsynq.dev>") or "",
    )


def _refresh(reader: EnvReader) -> RefreshPolicy:
    return RefreshPolicy(
        access_margin_seconds=reader.duration_seconds("QBO_ACCESS_MARGIN", 300, min=0),
        idle_refresh_after_seconds=reader.duration_seconds("QBO_IDLE_REFRESH_AFTER", 86400,
                                                           min=60),
        refresh_expiry_margin_seconds=reader.duration_seconds("QBO_REFRESH_EXPIRY_MARGIN",
                                                              30 * 86400, min=0),
        worker_interval_seconds=reader.duration_seconds("QBO_REFRESH_INTERVAL", 300, min=0.1),
        # Longer than three attempts of one token call (15 s each): never two refreshers.
        lease_seconds=reader.duration_seconds("QBO_REFRESH_LEASE", 60, min=1),
        wait_for_holder_seconds=reader.duration_seconds("QBO_REFRESH_WAIT", 20, min=1),
    )


def _previous_service_secrets(shared: EnvReader) -> dict[str, str]:
    """``SERVICE_SECRET_<CALLER>_PREVIOUS``: still accepted while a rotation rolls out."""
    secrets = {}
    for variable, service in SERVICE_SECRET_VARIABLES.items():
        value = shared.optional(f"{variable}_PREVIOUS")
        if value is None:
            continue
        if len(value) < 16:
            shared.add_problem(f"{variable}_PREVIOUS", "must be at least 16 characters")
        secrets[service] = value
    return secrets


def _service_secrets(shared: EnvReader) -> dict[str, str]:
    secrets = {}
    for variable, service in SERVICE_SECRET_VARIABLES.items():
        value = shared.optional(variable)
        if value is None:
            continue
        if len(value) < 16:
            shared.add_problem(variable, "must be at least 16 characters")
        secrets[service] = value
    if not secrets:
        shared.add_problem("SERVICE_SECRET_SYNC", "at least one SERVICE_SECRET_* must be set")
    return secrets


def _public_origins(reader: EnvReader, public_url: str, portal_url: str) -> tuple[str, ...]:
    """Where our pages are served (the gateway): the only origins a cookie-authenticated
    request that changes something may come from (CSRF)."""
    defaults = tuple(dict.fromkeys(o for o in (normalize_origin(public_url),
                                               normalize_origin(portal_url)) if o))
    listed = reader.csv_list("PUBLIC_ORIGINS", defaults)
    origins = tuple(normalize_origin(value) for value in listed)
    if not origins or any(o is None for o in origins):
        reader.add_problem("PUBLIC_ORIGINS", "must list origins such as https://app.example.com")
        return defaults
    return tuple(o for o in origins if o)


def allow_local_oauth_http(qbo: QboSettings, env: MutableMapping[str, str] = os.environ
                           ) -> None:
    """oauthlib refuses http:// token endpoints unless ``OAUTHLIB_INSECURE_TRANSPORT`` is set
    (it reads the environment at every call); only the local sandbox on loopback is http, so
    only then. Called once by the composition root, the one place that sets process state."""
    parts = urlsplit(qbo.discovery_url)
    if parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
        env.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def _check_cookie_security(reader: EnvReader, settings: Settings) -> None:
    """What only loopback development may relax: cookies without Secure (they leak over
    plain HTTP), one-step sign-up, and the internal API on the public listener."""
    if not settings.sessions.cookie_secure and not _is_loopback(settings.public_url):
        reader.add_problem("COOKIE_SECURE", "may be false only when AUTH_PUBLIC_URL is "
                           "http://127.0.0.1 or http://localhost (development)")
    if not settings.signup_confirmation and not _is_loopback(settings.public_url):
        reader.add_problem("SIGNUP_CONFIRMATION", "may be false only when AUTH_PUBLIC_URL is "
                           "loopback (development): sign-up is confirmed by email wherever "
                           "real people sign up")
    if settings.internal_api_on_public and not _is_loopback(settings.public_url):
        reader.add_problem("INTERNAL_API_ON_PUBLIC", "may be true only when AUTH_PUBLIC_URL is "
                           "loopback (development): the internal API has a listener of its own")
    if settings.operator_secret is not None and len(settings.operator_secret) < 16:
        reader.add_problem("OPERATOR_SECRET", "must be at least 16 characters")


# OWASP Password Storage Cheat Sheet, argon2id: (memory KiB, iterations) pairs of equal
# strength; anything weaker than all of them is refused.
OWASP_ARGON2_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


def _check_argon2(reader: EnvReader, settings: Settings) -> None:
    """Cheap hashes only where nothing real is stored: tests and development on loopback."""
    policy = settings.login
    strong = any(policy.argon2_memory_kib >= memory and policy.argon2_time_cost >= time
                 for memory, time in OWASP_ARGON2_MINIMUMS)
    if not strong and not _is_loopback(settings.public_url):
        reader.add_problem("ARGON2_MEMORY_KIB", "with ARGON2_TIME_COST is below OWASP's "
                           "argon2id minimum (e.g. 19456 KiB with 2 iterations)")


def _check_key_ring(shared: EnvReader, settings: Settings) -> None:
    if not settings.token_keys_spec or not settings.token_active_key:
        return  # already reported as missing
    try:
        KeyRing.from_spec(settings.token_keys_spec, settings.token_active_key)
    except KeyRingError as err:  # names key ids only, never key material
        shared.add_problem("TOKEN_ENCRYPTION_KEYS", str(err))
