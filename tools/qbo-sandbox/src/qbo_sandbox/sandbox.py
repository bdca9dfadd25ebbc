"""The composition root: every collaborator of one running emulator, wired in one place."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from . import timefmt
from .apps import App, AppRegistry
from .fault_injection import FaultInjector
from .generator import GenerateSpec, generate_company
from .oauth_tokens import Lifetimes, TokenStore
from .options import SandboxOptions
from .persistence import DataFileSaver
from .request_log import ReplayCache, RequestLog
from .rules.voids import SHAPES
from .store import CompanyStore, StoreRules
from .throttle import Limits, Throttle
from .webhooks.dispatcher import DispatchSettings, WebhookDispatcher
from .webhooks.mess import MessSettings

FIRST_REALM = 9_341_453_000_000_001


@dataclass(frozen=True)
class CompanySummary:
    """What the consent page and the control API list."""

    realm_id: str
    name: str


# A company this big is kept out of the cyclic collector's full scans (below).
LARGE_COMPANY_ROWS = 10_000


def out_of_collector_scans() -> None:
    """Move every live object to the collector's permanent generation (`gc.freeze`).

    Why: one 80,000-row company is some 600,000 objects, and a full collection of them
    takes half a second, during which this one-process server admits no request. Requests
    then reach the throttle together, late, which real QBO does not do (measured: the
    initial-sync bench lost about a second to two such pauses). Rows are acyclic dicts,
    freed by reference counting when a company is deleted; what is collected first is
    only garbage already unreachable."""
    gc.collect()
    gc.freeze()


class Sandbox:
    """State of the emulator. The Flask app reads it through current_app.extensions."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.apps = AppRegistry()
        self.tokens = TokenStore(Lifetimes(options.access_token_seconds,
                                           options.refresh_token_seconds))
        self.companies: dict[str, CompanyStore] = {}
        self.throttle = Throttle(self._default_limits(), options.throttle_per_app,
                                 options.throttle_counts_refused)
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self.replay = ReplayCache()
        self.webhooks = WebhookDispatcher(self.apps, self.tokens, DispatchSettings(
            options.webhook_batch_seconds, options.webhook_time_scale,
            options.webhook_timeout_seconds, options.webhook_max_attempts, MessSettings(
                options.webhook_first_delay_seconds, options.webhook_duplicate_rate,
                options.webhook_reorder_rate, options.webhook_drop_rate,
                options.webhook_hold_seconds, options.webhook_seed)))
        self.saver: DataFileSaver | None = None
        if options.data_file:
            self.saver = DataFileSaver(self, options.data_file, options.save_interval_seconds)
        self._lock = threading.Lock()
        self._next_realm = FIRST_REALM
        self.oauth_port: int | None = None  # set by RunningServer when OAuth is split off

    def _default_limits(self) -> Limits:
        options = self.options
        return Limits(options.requests_per_minute, options.concurrent_requests,
                      options.requests_per_second, options.batch_requests_per_minute,
                      options.batch_requests_per_minute_app)

    def base_url(self, host_url: str) -> str:
        """Public base URL: --public-url if given, else the URL the client used."""
        return (self.options.public_url or host_url).rstrip("/")

    def oauth_base_url(self, host_url: str) -> str:
        """Where the OAuth endpoints live: the OAuth port's URL when they have their own
        (as oauth.platform.intuit.com is not the API host), else the base URL."""
        if self.oauth_port is None:
            return self.base_url(host_url)
        if self.options.public_oauth_url:
            return self.options.public_oauth_url.rstrip("/")
        host = urlsplit(host_url).hostname or "127.0.0.1"
        return f"http://{host}:{self.oauth_port}"

    def start(self) -> None:
        """Load the data file, register configured apps, create the demo company, start threads."""
        if self.saver is not None:
            self.saver.load()
        for spec in self.options.apps:
            self.apps.add(App(spec.client_id, spec.client_secret, spec.redirect_uris, spec.name,
                              spec.webhook_url, spec.webhook_verifier_token or "verifier",
                              spec.webhook_format))
        if self.options.demo_company and not self.companies:
            self.create_company(GenerateSpec(
                self.options.demo_seed, self.options.demo_customers,
                self.options.demo_invoices, self.options.demo_payments))
        self.webhooks.start()
        if self.saver is not None:
            self.saver.start()

    def stop(self) -> None:
        """Stop background delivery and saving (joins their threads; saves a last time);
        requests held by a hang fault are let go."""
        self.faults.clear()
        self.webhooks.stop()
        if self.saver is not None:
            self.saver.stop()

    def create_company(self, spec: GenerateSpec, realm_id: str | None = None,
                       shuffle_ties: bool = False, void_shape: str | None = None,
                       cdc_cut_order: str | None = None) -> CompanyStore:
        """A new company seeded by the generator (0/0/0 gives terms, items and CompanyInfo).

        A spec's own tie_fraction, `shuffle_ties`, `void_shape` and `cdc_cut_order` make
        this one company messy on a shared sandbox (a suite's test of one mess need not
        switch it on for every test)."""
        if void_shape is not None and void_shape not in SHAPES:
            raise ValueError(f"void_shape must be one of {', '.join(SHAPES)}")
        if cdc_cut_order not in (None, "oldest_first", "live_first"):
            raise ValueError("cdc_cut_order must be oldest_first or live_first")
        spec = replace(spec, void_shape=void_shape or self.options.void_shape,
                       tie_fraction=spec.tie_fraction or self.options.tie_fraction)
        with timefmt.zone_context(self.options.time_zone):
            data = generate_company(spec)
        with self._lock:
            if realm_id is None:
                while str(self._next_realm) in self.companies:
                    self._next_realm += 1
                realm_id = str(self._next_realm)
            if realm_id in self.companies:
                raise ValueError(f"company {realm_id} already exists")
            store = CompanyStore(realm_id, spec.company_name)
            store.shuffle_ties = shuffle_ties
            store.cdc_cut_order = cdc_cut_order
            store.load(data)
            self.add_company(store)
            store.rules = replace(store.rules, void_shape=spec.void_shape)
        if spec.customers + spec.invoices + spec.payments >= LARGE_COMPANY_ROWS:
            out_of_collector_scans()
        return store

    def add_company(self, store: CompanyStore) -> None:
        """Attach a store (new or loaded from the data file) and its webhook listener."""
        store.rules = StoreRules(self.options.line_amount_check == "refuse",
                                 self.options.client_tax == "compute", self.options.void_shape)
        store.add_listener(self.webhooks.on_change)
        self.companies[store.realm_id] = store

    def company_list(self) -> list[CompanySummary]:
        """Companies in creation order."""
        return [CompanySummary(s.realm_id, s.name) for s in list(self.companies.values())]

    def reset(self, keep_apps: bool = False) -> None:
        """Back to an empty sandbox (apps kept on request)."""
        with self._lock:
            self.companies.clear()
            self._next_realm = FIRST_REALM
        if not keep_apps:
            self.apps.clear()
        self.tokens.clear()
        self.faults.clear()
        self.requests.clear()
        self.replay.clear()
        self.throttle.reset()
        self.throttle.set_limits(self._default_limits())
        self.webhooks.clear()

    def counts(self, realm_id: str | None) -> dict[str, Any]:
        """Counters tests assert on: token refreshes, code exchanges, API calls by kind."""
        rows = self.requests.query(realm_id=realm_id, limit=10**9)
        by_kind: dict[str, int] = {}
        for row in rows:
            by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
        result: dict[str, Any] = {"requests": len(rows), "requests_by_kind": by_kind}
        result.update(self.tokens.totals(realm_id))
        result["webhook_attempts"] = len(self.webhooks.attempts(realm_id))
        return result


def spec_from_json(data: dict[str, Any]) -> GenerateSpec:
    """Control-API JSON to a generator spec (missing numbers mean an empty company)."""
    as_of = data.get("as_of")
    return GenerateSpec(seed=int(data.get("seed", 1)), customers=int(data.get("customers", 0)),
                        invoices=int(data.get("invoices", 0)),
                        payments=int(data.get("payments", 0)),
                        company_name=data.get("name") or "Sandbox Company_US_1",
                        tie_fraction=float(data.get("tie_fraction", 0.0)),
                        tie_batch=int(data.get("tie_batch", 200)),
                        as_of=date.fromisoformat(as_of) if as_of else None)
