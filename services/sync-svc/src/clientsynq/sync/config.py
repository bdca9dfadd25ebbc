"""Settings of sync-svc: the only place its environment variables are read."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from clientsynq.common.auth.service import MIN_SECRET_LENGTH
from clientsynq.common.config import CommonSettings, EnvReader

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
# One secret per caller→callee pair: portal-svc's towards us, not the one it shows auth-svc.
PORTAL_PAIR_VARIABLE = "SERVICE_SECRET_PORTAL_SYNC"


@dataclass(frozen=True)
class QboSettings:
    """How we talk to QuickBooks; the defaults are Intuit's published limits per realm."""

    base_url: str
    minor_version: int = 75
    requests_per_minute: int = 500
    concurrent_requests: int = 10
    requests_per_second: int = 10
    timeout_seconds: float = 60.0
    retry_attempts: int = 8
    retry_initial_seconds: float = 1.0
    retry_max_seconds: float = 60.0
    page_size: int = 1000
    # Intuit: after a 429, wait 60 s before retrying (when no Retry-After says otherwise).
    throttle_pause_seconds: float = 60.0


@dataclass(frozen=True)
class ScheduleSettings:
    """Default cadence per entity (Enterprise tenants may override their own)."""

    customer_interval: float = 24 * HOUR
    invoice_interval: float = HOUR
    payment_interval: float = 5 * MINUTE
    reconcile_interval: float = 24 * HOUR
    tick_seconds: float = 30.0
    # how often each replica rescans connected tenants (new connections, changed controls)
    roster_seconds: float = 5 * MINUTE


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    auth_url: str
    service_secret: str = field(repr=False)  # ours, towards auth-svc
    # What portal-svc presents to us (SERVICE_SECRET_PORTAL_SYNC): a secret of the
    # portal→sync pair only, never portal's secret for auth-svc, so nothing we hold lets
    # us speak as portal-svc anywhere else (issue 12, finding 10).
    portal_secret: str = field(repr=False)
    # Still accepted from portal-svc while a rotation of that secret rolls out.
    portal_previous_secret: str | None = field(repr=False)
    qbo: QboSettings
    schedule: ScheduleSettings
    history_days: int = 365
    cdc_overlap_seconds: float = 120.0
    lease_ttl_seconds: float = 60.0
    max_concurrent_runs: int = 4
    publish_processes: int = 0
    metrics_port: int = 9102
    command_resolve_seconds: float = 30.0
    command_retry_initial_seconds: float = 30.0
    run_retry_initial_seconds: float = 60.0
    # run history retention (adapters/run_history.py), pruned once an hour by one replica
    run_history_keep: int = 20
    run_history_min_age_seconds: float = HOUR
    housekeeping_seconds: float = HOUR
    progress_interval_seconds: float = 2.0
    source: str = "/clientsynq/sync-svc"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on the first sync."""
        reader = EnvReader(env, prefix="SYNC_")
        shared = reader.with_prefix("")
        settings = cls(
            common=CommonSettings.from_reader(reader, "sync", default_database="sync"),
            auth_url=reader.url("AUTH_URL", "http://127.0.0.1:8081"),
            service_secret=shared.required("SERVICE_SECRET_SYNC", secret=True),
            portal_secret=_pair_secret(shared, PORTAL_PAIR_VARIABLE, required=True) or "",
            portal_previous_secret=_pair_secret(shared, f"{PORTAL_PAIR_VARIABLE}_PREVIOUS"),
            qbo=_qbo(reader, shared),
            schedule=_schedule(reader),
            history_days=reader.integer("HISTORY_DAYS", 365, min=1, max=3650),
            cdc_overlap_seconds=reader.duration_seconds("CDC_OVERLAP", 120.0, min=0, max=DAY),
            lease_ttl_seconds=reader.duration_seconds("LEASE_TTL", 60.0, min=1, max=HOUR),
            max_concurrent_runs=reader.integer("MAX_CONCURRENT_RUNS", 4, min=1, max=64),
            publish_processes=reader.integer("PUBLISH_PROCESSES", 0, min=0, max=32),
            metrics_port=reader.integer("METRICS_PORT", 9102, min=0, max=65535),
            command_resolve_seconds=reader.duration_seconds("COMMAND_RESOLVE_INTERVAL", 30.0,
                                                            min=0.05, max=HOUR),
            command_retry_initial_seconds=reader.duration_seconds(
                "COMMAND_RETRY_INITIAL", 30.0, min=0.01, max=HOUR),
            run_retry_initial_seconds=reader.duration_seconds("RUN_RETRY_INITIAL", 60.0,
                                                              min=0.01, max=HOUR),
            progress_interval_seconds=reader.duration_seconds("PROGRESS_INTERVAL", 2.0,
                                                              min=0, max=HOUR),
            run_history_keep=reader.integer("RUN_HISTORY_KEEP", 20, min=1, max=10000),
            run_history_min_age_seconds=reader.duration_seconds("RUN_HISTORY_MIN_AGE", HOUR,
                                                                min=0, max=30 * DAY),
            housekeeping_seconds=reader.duration_seconds("HOUSEKEEPING_INTERVAL", HOUR,
                                                         min=1, max=DAY),
        )
        reader.raise_if_invalid()
        return settings


def _pair_secret(shared: EnvReader, name: str, required: bool = False) -> str | None:
    """A caller's secret towards us: unset (a problem when ``required``) or long enough for
    ``ServiceCredentialCheck``; refused here so the start-up error lists it with the rest."""
    value = shared.required(name, secret=True) if required else shared.optional(name)
    if value and len(value) < MIN_SECRET_LENGTH:
        shared.add_problem(name, f"must be at least {MIN_SECRET_LENGTH} characters")
    return value or None


def _qbo(reader: EnvReader, shared: EnvReader) -> QboSettings:
    """QBO_BASE_URL is shared with auth-svc (one sandbox or one Intuit for everyone)."""
    if reader.optional("QBO_BASE_URL") is not None:
        base = reader.url("QBO_BASE_URL")
    else:
        base = shared.url("QBO_BASE_URL", "https://quickbooks.api.intuit.com")
    return QboSettings(
        base_url=base.rstrip("/"),
        minor_version=reader.integer("QBO_MINOR_VERSION", 75, min=75),
        requests_per_minute=reader.integer("QBO_REQUESTS_PER_MINUTE", 500, min=1, max=100000),
        concurrent_requests=reader.integer("QBO_CONCURRENT_REQUESTS", 10, min=1, max=100),
        requests_per_second=reader.integer("QBO_REQUESTS_PER_SECOND", 10, min=1, max=10000),
        timeout_seconds=reader.duration_seconds("QBO_TIMEOUT", 60.0, min=1, max=600),
        retry_attempts=reader.integer("QBO_RETRY_ATTEMPTS", 8, min=1, max=50),
        retry_initial_seconds=reader.duration_seconds("QBO_RETRY_INITIAL", 1.0, min=0.001),
        retry_max_seconds=reader.duration_seconds("QBO_RETRY_MAX", 60.0, min=0.001),
        page_size=reader.integer("QBO_PAGE_SIZE", 1000, min=1, max=1000),
        throttle_pause_seconds=reader.duration_seconds("QBO_THROTTLE_PAUSE", 60.0, min=0.001,
                                                       max=HOUR),
    )


def _schedule(reader: EnvReader) -> ScheduleSettings:
    return ScheduleSettings(
        customer_interval=reader.duration_seconds("CUSTOMER_INTERVAL", 24 * HOUR, min=1),
        invoice_interval=reader.duration_seconds("INVOICE_INTERVAL", HOUR, min=1),
        payment_interval=reader.duration_seconds("PAYMENT_INTERVAL", 5 * MINUTE, min=1),
        reconcile_interval=reader.duration_seconds("RECONCILE_INTERVAL", 24 * HOUR, min=1),
        tick_seconds=reader.duration_seconds("SCHEDULER_TICK", 30.0, min=0.05, max=HOUR),
        roster_seconds=reader.duration_seconds("SCHEDULER_ROSTER_REFRESH", 5 * MINUTE,
                                               min=0.05, max=DAY),
    )
