"""The deployment table: what each service runs, reads, publishes and reaches."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from clientsynq.common.events import topics as t

NAMESPACE = "clientsynq"
PART_OF = "clientsynq"
REGISTRY = "ghcr.io/clientsynq"
VERSION = "0.1.0"
KAFKA_CLUSTER = "clientsynq"
WEB_PORT = 8080
INTERNAL_PORT = 8081  # a service's internal listener, where it has one (auth-svc)
METRICS_PORT = 9102
UID = 10001
PUBLIC_URL = "https://app.clientsynq.example.com"  # overlays patch the host
INTUIT_API = "https://quickbooks.api.intuit.com"
INTUIT_DISCOVERY = "https://developer.api.intuit.com/.well-known/openid_configuration"


@dataclass(frozen=True)
class Worker:
    module: str
    metrics_env: str  # the setting that opens the worker's /metrics listener

    @property
    def consumes(self) -> tuple[str, ...]:
        """The worker's own TOPICS (none for a worker without a consumer)."""
        return tuple(getattr(importlib.import_module(self.module), "TOPICS", ()))

    @property
    def group(self) -> str | None:
        """The worker's own CONSUMER_GROUP: ACLs and the lag metric name it."""
        return getattr(importlib.import_module(self.module), "CONSUMER_GROUP", None)


@dataclass(frozen=True)
class Service:
    name: str  # short name, as services/ensure_indexes.py knows it
    distribution: str  # services/<distribution>
    database: str
    produces: tuple[str, ...]
    worker: Worker
    secrets: tuple[str, ...] = ()  # keys of the <svc>-secrets Secret, exposed as env
    # Keys present only while a rotation rolls out (the previous value still accepted):
    # exposed as optional, so adding the property to the store and rolling is the whole
    # step (docs/operations.md, "Rotating secrets").
    rotation_secrets: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()  # whose /internal/v1 it calls (with its service credential)
    extra_env: dict[str, str] = field(default_factory=dict)
    # The app of a second listener in the web pod, on INTERNAL_PORT, behind a Service of
    # its own (`<distribution>-internal`): the internal API off the public port.
    internal_app: str | None = None

    @property
    def image(self) -> str:
        return f"{REGISTRY}/{self.distribution}:{VERSION}"

    @property
    def group(self) -> str:
        return self.worker.group or self.distribution


# What other services call auth-svc at: its internal listener (internal API, JWKS, and
# the bearer routes portal-svc calls as the user), never the public one.
AUTH_INTERNAL_URL = f"http://auth-svc-internal:{INTERNAL_PORT}"
SMTP = {"SMTP_HOST": "smtp.example.com", "SMTP_PORT": "587", "SMTP_STARTTLS": "true",
        "SMTP_USERNAME": "clientsynq"}

SERVICES: tuple[Service, ...] = (
    Service(
        name="auth", distribution="auth-svc", database="auth",
        produces=(t.CONNECTION_CHANGED,),
        worker=Worker("clientsynq.auth.worker", "AUTH_WORKER_METRICS_PORT"),
        secrets=("TOKEN_ENCRYPTION_KEYS", "TOKEN_ENCRYPTION_ACTIVE_KEY", "SERVICE_SECRET_SYNC",
                 "SERVICE_SECRET_PORTAL", "SERVICE_SECRET_WEBHOOK", "QBO_CLIENT_ID",
                 "QBO_CLIENT_SECRET", "AUTH_OPERATOR_SECRET", "SMTP_PASSWORD"),
        rotation_secrets=("SERVICE_SECRET_SYNC_PREVIOUS", "SERVICE_SECRET_PORTAL_PREVIOUS",
                          "SERVICE_SECRET_WEBHOOK_PREVIOUS"),
        extra_env={
            "AUTH_PUBLIC_URL": PUBLIC_URL, "PORTAL_PUBLIC_URL": PUBLIC_URL,
            "QBO_BASE_URL": INTUIT_API, "QBO_DISCOVERY_URL": INTUIT_DISCOVERY,
            "AUTH_SIGNING_KEYS_DIR": "/var/run/secrets/clientsynq/signing-keys",
            "AUTH_GENERATE_SIGNING_KEY": "false", "AUTH_COOKIE_SECURE": "true",
            "AUTH_TRUSTED_PROXY_HOPS": "1",  # the ingress controller
            "AUTH_INTERNAL_API_ON_PUBLIC": "false",  # /internal/v1: the internal listener's
            **SMTP, "MAIL_FROM": "ClientSynq <no-reply@clientsynq.example.com>",
        },
        internal_app="clientsynq.auth.app:create_internal_app_from_env()",
    ),
    Service(
        name="sync", distribution="sync-svc", database="sync",
        produces=(t.SYNC_REQUESTED, t.SYNC_COMPLETED, t.SYNC_FAILED, t.CUSTOMER_UPDATED,
                  t.INVOICE_UPDATED, t.PAYMENT_RECORDED, t.COMMAND_FAILED,
                  t.COMMAND_SUCCEEDED, t.SYNC_PROGRESS),
        worker=Worker("clientsynq.sync.worker", "SYNC_METRICS_PORT"),
        # Its own credential at auth-svc, and what portal-svc presents to it: the portal→sync
        # pair's secret, never portal's secret for auth-svc (one secret per pair).
        secrets=("SERVICE_SECRET_SYNC", "SERVICE_SECRET_PORTAL_SYNC"),
        rotation_secrets=("SERVICE_SECRET_PORTAL_SYNC_PREVIOUS",),
        calls=("auth-svc",),
        extra_env={"SYNC_AUTH_URL": AUTH_INTERNAL_URL, "QBO_BASE_URL": INTUIT_API},
    ),
    Service(
        name="webhook", distribution="webhook-svc", database="webhooks",
        produces=(t.QBO_ENTITY_CHANGED,),
        worker=Worker("clientsynq.webhooks.worker", "WEBHOOK_METRICS_PORT"),
        # Its own key ring (same format as auth's) seals Enterprise endpoint secrets.
        secrets=("TOKEN_ENCRYPTION_KEYS", "TOKEN_ENCRYPTION_ACTIVE_KEY",
                 "QBO_WEBHOOK_VERIFIER_TOKEN", "SERVICE_SECRET_WEBHOOK", "SMTP_PASSWORD"),
        rotation_secrets=("WEBHOOK_INTUIT_PREVIOUS_VERIFIER_TOKEN",),
        calls=("auth-svc",),
        extra_env={"WEBHOOK_AUTH_URL": AUTH_INTERNAL_URL, **SMTP,
                   # the pages' origin: cookie-authenticated changes must come from it
                   "PORTAL_PUBLIC_URL": PUBLIC_URL,
                   "WEBHOOK_MAIL_FROM": "ClientSynq webhooks <webhooks@clientsynq.example.com>"},
    ),
    Service(
        name="portal", distribution="portal-svc", database="portal",
        produces=(t.SYNC_REQUESTED, t.INVOICE_CREATE_REQUESTED, t.PAYMENT_RECORD_REQUESTED),
        worker=Worker("clientsynq.portal.worker", "PORTAL_METRICS_PORT"),
        secrets=("SERVICE_SECRET_PORTAL", "SERVICE_SECRET_PORTAL_SYNC"),  # →auth, →sync
        calls=("auth-svc", "sync-svc"),  # sync-svc: status and Enterprise sync controls
        extra_env={"PORTAL_AUTH_URL": AUTH_INTERNAL_URL,
                   "PORTAL_WEBHOOK_URL": f"http://webhook-svc:{WEB_PORT}",
                   "PORTAL_SYNC_URL": f"http://sync-svc:{WEB_PORT}",
                   "PORTAL_PUBLIC_URL": PUBLIC_URL,
                   "PORTAL_TRUSTED_PROXY_HOPS": "1"},  # the ingress controller
    ),
)

def listener_port(distribution: str) -> int:
    """The port other services call `distribution` on: its internal listener if it has one."""
    callee = next(svc for svc in SERVICES if svc.distribution == distribution)
    return INTERNAL_PORT if callee.internal_app else WEB_PORT


def services_with_indexes() -> set[str]:
    """The names services/ensure_indexes.py can build indexes for (one source of truth)."""
    path = Path(__file__).resolve().parents[3] / "services" / "ensure_indexes.py"
    spec = importlib.util.spec_from_file_location("ensure_indexes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.SERVICES)


# Consumer replicas beyond a topic's partition count sit idle: the HPA's ceiling for a
# worker is the smallest partition count among the topics it consumes.


def max_consumers(service: Service) -> int:
    counts = [t.TOPICS[name].partitions for name in service.worker.consumes]
    return min(counts) if counts else 1
