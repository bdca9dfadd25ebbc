"""Everything the emulator can be configured with, from the CLI or from tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AppSpec:
    """An app to register at start-up (the CLI's --app-* options)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_verifier_token: str | None = None
    webhook_format: str = "cloudevents"
    name: str = "Sandbox App"


@dataclass(frozen=True)
class SandboxOptions:
    """Defaults are Intuit's numbers; tests shrink the slow ones (webhook timing)."""

    public_url: str | None = None
    requests_per_minute: int = 500
    concurrent_requests: int = 10
    requests_per_second: int = 10
    batch_requests_per_minute: int = 120
    batch_requests_per_minute_app: int = 40
    throttle_per_app: bool = True  # 10/s and concurrency per realm and app (Intuit's page)
    throttle_counts_refused: bool = False  # a 429 still counts in the windows (unconfirmed)
    webhook_batch_seconds: float = 1.0
    webhook_time_scale: float = 1.0
    webhook_timeout_seconds: float = 3.0
    webhook_max_attempts: int = 20
    access_token_seconds: int = 3600
    refresh_token_seconds: int = 8_726_400
    data_file: str | None = None
    save_interval_seconds: float = 30.0
    demo_company: bool = False
    demo_seed: int = 1
    demo_customers: int = 50
    demo_invoices: int = 400
    demo_payments: int = 250
    apps: tuple[AppSpec, ...] = field(default_factory=tuple)
    # How a bad token is refused: "gateway" (JSON fault 3200) or "xml" (XML code 100).
    # A request without Accept: application/json always gets the XML.
    auth_fault_body: str = "gateway"
    # Query and request strictness (query_policy): "refuse" or "cap"; "allow" or "refuse";
    # "upgrade" (treat as 75) or "refuse".
    max_results_over_limit: str = "refuse"
    orderby_id: str = "allow"
    minorversion_below_minimum: str = "upgrade"
    entity_name_case: str = "insensitive"  # or "sensitive": `FROM invoice` is a 4000
    # "fixed" (-07:00 all year) or "pacific" (America/Los_Angeles, -08:00 in winter).
    time_zone: str = "pacific"
    # OAuth endpoints on a second port of their own (0: any free port), as Intuit serves
    # them from oauth.platform.intuit.com / appcenter.intuit.com, not the API host.
    oauth_port: int | None = None
    # Sales lines: "refuse" (6070) when Amount != Qty x UnitPrice, or "accept".
    line_amount_check: str = "refuse"
    # A sent TotalTax: "keep" it, or "compute" it as automated sales tax does.
    client_tax: str = "keep"
    # Voided invoices and payments: "zeroed" or "kept_lines" (see rules/voids.py).
    void_shape: str = "zeroed"
    # Messy data: share of generated rows sharing a few LastUpdatedTime seconds (bulk
    # imports), and whether rows tied on the ORDERBY key come back in a new order on every
    # request (QBO does not promise a stable order within one second).
    tie_fraction: float = 0.0
    shuffle_ties: bool = False
    # Where CDC's 1000-object cap falls: "oldest_first" across live and deleted objects,
    # or "live_first" (every live object before any deletion stub).
    cdc_cut_order: str = "oldest_first"
    # Messy webhooks (webhooks/mess.py): late, duplicated, reordered, dropped.
    webhook_first_delay_seconds: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_reorder_rate: float = 0.0
    webhook_drop_rate: float = 0.0
    webhook_hold_seconds: float = 2.0
    webhook_seed: int | None = None
    # Realistic latency: each API call takes base + per_row x rows returned (0: as fast as
    # possible).
    latency_base_ms: float = 0.0
    latency_per_row_ms: float = 0.0
    public_oauth_url: str | None = None
