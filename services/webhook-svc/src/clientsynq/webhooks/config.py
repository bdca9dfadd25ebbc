"""Settings of webhook-svc: the only place its environment variables are read."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from clientsynq.common.auth.origin import normalize_origin
from clientsynq.common.config import CommonSettings, EnvReader
from clientsynq.common.crypto import KeyRing, KeyRingError
from clientsynq.common.mail import SmtpSettings
from clientsynq.webhooks.domain.intuit_signature import VerifierTokens

DAY = 86400.0
# Standard Webhooks' published schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
# 10 h): about 28 hours of trying before a message is given up.
# The delivery log (API) shows a finished delivery this long; pending ones are always kept.
DELIVERY_RETENTION_DAYS = 30
RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


@dataclass(frozen=True)
class DeliverySettings:
    """How webhooks go out; the defaults are the promises made to integrators."""

    timeout_seconds: float = 15.0
    retry_schedule: tuple[float, ...] = RETRY_SCHEDULE
    jitter_ratio: float = 0.1
    disable_after_seconds: float = 5 * DAY
    lease_seconds: float = 30.0  # also a claim's send window (see domain/queue.py)
    claim_grace_seconds: float = 60.0
    workers: int = 32
    per_endpoint_in_flight: int = 4
    poll_seconds: float = 0.05
    allowed_hosts: tuple[str, ...] = ()
    secret_grace_seconds: float = DAY


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    intuit_tokens: VerifierTokens
    inbox_retention_seconds: float
    delivery_retention_seconds: float
    auth_url: str
    jwt_issuer: str
    jwt_audience: str
    service_secret: str = field(repr=False)
    secret_keys_spec: str = field(repr=False)
    secret_active_key: str
    delivery: DeliverySettings = DeliverySettings()
    mail: SmtpSettings = field(
        default_factory=lambda: SmtpSettings("127.0.0.1", 1025, "webhooks@clientsynq.dev"))
    metrics_port: int = 9103
    sweep_seconds: float = 30.0
    # Where our pages are served (the gateway): the only origins a cookie-authenticated
    # request that changes an endpoint may come from (CSRF).
    public_origins: tuple[str, ...] = ("http://127.0.0.1:8080",)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on first use."""
        reader = EnvReader(env, prefix="WEBHOOK_")
        shared = reader.with_prefix("")
        settings = cls(
            common=CommonSettings.from_reader(reader, "webhook", default_database="webhooks"),
            intuit_tokens=_verifier_tokens(reader, shared),
            inbox_retention_seconds=reader.duration_seconds("INBOX_RETENTION", 30 * DAY,
                                                            min=60, max=400 * DAY),
            delivery_retention_seconds=reader.duration_seconds(
                "DELIVERY_RETENTION", DELIVERY_RETENTION_DAYS * DAY, min=60, max=400 * DAY),
            auth_url=reader.url("AUTH_URL", "http://127.0.0.1:8081"),
            jwt_issuer=shared.optional("JWT_ISSUER", "clientsynq-auth") or "",
            jwt_audience=shared.optional("JWT_AUDIENCE", "clientsynq") or "",
            service_secret=shared.optional("SERVICE_SECRET_WEBHOOK", "") or "",
            secret_keys_spec=shared.required("TOKEN_ENCRYPTION_KEYS", secret=True),
            secret_active_key=shared.required("TOKEN_ENCRYPTION_ACTIVE_KEY"),
            delivery=_delivery(reader),
            mail=_mail(reader, shared),
            metrics_port=reader.integer("METRICS_PORT", 9103, min=0, max=65535),
            sweep_seconds=reader.duration_seconds("SWEEP_INTERVAL", 30.0, min=0.01, max=DAY),
            public_origins=_public_origins(reader, shared),
        )
        _check_keys(settings, shared)
        reader.raise_if_invalid()
        return settings

    def key_ring(self) -> KeyRing:
        """Seals endpoint signing secrets at rest (the same key ring format as auth-svc's)."""
        return KeyRing.from_spec(self.secret_keys_spec, self.secret_active_key)


def _check_keys(settings: Settings, shared: EnvReader) -> None:
    if not settings.secret_keys_spec or not settings.secret_active_key:
        return
    try:
        settings.key_ring()
    except KeyRingError as err:  # names key ids only, never key material
        shared.add_problem("TOKEN_ENCRYPTION_KEYS", str(err))


def _verifier_tokens(reader: EnvReader, shared: EnvReader) -> VerifierTokens:
    """The current token is the one the sandbox and Intuit's portal share (one name for
    everyone); the previous one signs Intuit's retries until the grace period ends."""
    current = shared.required("QBO_WEBHOOK_VERIFIER_TOKEN", secret=True)
    previous = reader.optional("INTUIT_PREVIOUS_VERIFIER_TOKEN")
    until_text = reader.optional("INTUIT_PREVIOUS_VERIFIER_UNTIL")
    until: datetime | None = None
    if until_text is not None:
        try:
            until = datetime.fromisoformat(until_text.replace("Z", "+00:00"))
            if until.tzinfo is None:
                raise ValueError("no offset")
        except ValueError:
            reader.add_problem("INTUIT_PREVIOUS_VERIFIER_UNTIL",
                               "must be an RFC 3339 time with an offset")
    if previous is not None and until is None:
        reader.add_problem("INTUIT_PREVIOUS_VERIFIER_UNTIL",
                           "required with INTUIT_PREVIOUS_VERIFIER_TOKEN (the grace period end)")
    return VerifierTokens(current=current, previous=previous, previous_valid_until=until)


def _public_origins(reader: EnvReader, shared: EnvReader) -> tuple[str, ...]:
    """WEBHOOK_PUBLIC_ORIGINS, by default the portal's public URL (the gateway's origin,
    where the Settings → Webhooks page runs)."""
    portal = normalize_origin(shared.url("PORTAL_PUBLIC_URL", "http://127.0.0.1:8080"))
    defaults = (portal,) if portal else ()
    listed = reader.csv_list("PUBLIC_ORIGINS", defaults)
    origins = tuple(o for o in (normalize_origin(value) for value in listed) if o)
    if not origins or len(origins) != len(listed):
        reader.add_problem("PUBLIC_ORIGINS", "must list origins such as https://app.example.com")
        return defaults
    return origins


def _delivery(reader: EnvReader) -> DeliverySettings:
    scale = reader.duration_seconds("RETRY_TIME_SCALE", 1.0, min=0.000001, max=1.0)
    return DeliverySettings(
        timeout_seconds=reader.duration_seconds("DELIVERY_TIMEOUT", 15.0, min=0.1, max=60),
        retry_schedule=tuple(step * scale for step in RETRY_SCHEDULE),
        disable_after_seconds=reader.duration_seconds("DISABLE_AFTER", 5 * DAY, min=1),
        lease_seconds=reader.duration_seconds("DELIVERY_LEASE", 30.0, min=0.5, max=600),
        claim_grace_seconds=reader.duration_seconds("CLAIM_GRACE", 60.0, min=0, max=DAY),
        workers=reader.integer("DELIVERY_WORKERS", 32, min=1, max=512),
        per_endpoint_in_flight=reader.integer("PER_ENDPOINT_IN_FLIGHT", 4, min=1, max=64),
        poll_seconds=reader.duration_seconds("DELIVERY_POLL", 0.05, min=0.001, max=10),
        allowed_hosts=reader.csv_list("ALLOWED_HOSTS", ()),
        secret_grace_seconds=reader.duration_seconds("SECRET_GRACE", DAY, min=0, max=30 * DAY),
    )


def _mail(reader: EnvReader, shared: EnvReader) -> SmtpSettings:
    return SmtpSettings(
        host=shared.optional("SMTP_HOST", "127.0.0.1") or "",
        port=shared.integer("SMTP_PORT", 1025, min=1, max=65535),
        sender=reader.optional("MAIL_FROM", "webhooks@clientsynq.dev") or "",
        starttls=shared.boolean("SMTP_STARTTLS", False),
        username=shared.optional("SMTP_USERNAME"),
        password=shared.optional("SMTP_PASSWORD"),
    )
