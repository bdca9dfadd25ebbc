"""qbo-sandbox serve --port PORT [...]: the console script."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from types import FrameType
from typing import Any

from .options import AppSpec, SandboxOptions
from .server import RunningServer


def build_parser() -> argparse.ArgumentParser:
    """Every option of `serve`; defaults are Intuit's numbers."""
    parser = argparse.ArgumentParser(prog="qbo-sandbox",
                                     description="A faithful local QuickBooks Online.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--public-url", help="base URL written in the discovery document")
    serve.add_argument("--demo-company", action="store_true",
                       help="create a seeded demo company at start")
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--demo-customers", type=int, default=50)
    serve.add_argument("--demo-invoices", type=int, default=400)
    serve.add_argument("--demo-payments", type=int, default=250)
    serve.add_argument("--app-client-id")
    serve.add_argument("--app-client-secret")
    serve.add_argument("--app-name", default="ClientSynq")
    serve.add_argument("--redirect-uri", action="append", default=[],
                       help="repeat for several URIs")
    serve.add_argument("--webhook-url")
    serve.add_argument("--webhook-verifier", help="webhook verifier token of the app")
    serve.add_argument("--webhook-format", choices=("cloudevents", "classic"),
                       default="cloudevents")
    serve.add_argument("--webhook-batch-seconds", type=float, default=1.0)
    serve.add_argument("--webhook-time-scale", type=float, default=1.0,
                       help="multiplies the retry schedule (0.01 = 100x faster)")
    serve.add_argument("--rate-limit", type=int, default=500, help="requests/min per realm")
    serve.add_argument("--concurrency-limit", type=int, default=10,
                       help="concurrent requests per realm")
    serve.add_argument("--rate-limit-per-second", type=int, default=10,
                       help="requests/second per realm")
    serve.add_argument("--data-file", help="JSON file loaded at start and saved on shutdown")
    serve.add_argument("--save-interval", type=float, default=30.0)
    serve.add_argument("--log-level", default="INFO")
    serve.add_argument("--oauth-port", type=int, default=None,
                       help="serve the OAuth endpoints on this port only (0: any free port)")
    serve.add_argument("--time-zone", choices=("fixed", "pacific"), default="pacific")
    serve.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                       help="any SandboxOptions field, VALUE as JSON or a bare string "
                            "(repeatable), e.g. --option webhook_drop_rate=0.2")
    serve.add_argument("--messy", action="store_true",
                       help="turn on the messy set (qbo_sandbox.testing.MESSY_OPTIONS)")
    return parser


def options_from_args(args: argparse.Namespace) -> SandboxOptions:
    """Turn parsed arguments into SandboxOptions."""
    apps: tuple[AppSpec, ...] = ()
    if args.app_client_id:
        if not args.app_client_secret:
            raise SystemExit("--app-client-secret is required with --app-client-id")
        apps = (AppSpec(args.app_client_id, args.app_client_secret, tuple(args.redirect_uri),
                        args.webhook_url, args.webhook_verifier, args.webhook_format,
                        args.app_name),)
    elif args.webhook_url or args.redirect_uri:
        raise SystemExit("--webhook-url and --redirect-uri need --app-client-id")
    return replace(SandboxOptions(
        public_url=args.public_url, requests_per_minute=args.rate_limit,
        concurrent_requests=args.concurrency_limit,
        requests_per_second=args.rate_limit_per_second,
        webhook_batch_seconds=args.webhook_batch_seconds,
        webhook_time_scale=args.webhook_time_scale, data_file=args.data_file,
        save_interval_seconds=args.save_interval, demo_company=args.demo_company,
        demo_seed=args.seed, demo_customers=args.demo_customers,
        demo_invoices=args.demo_invoices, demo_payments=args.demo_payments, apps=apps,
        oauth_port=args.oauth_port, time_zone=args.time_zone),
        **_extra_options(args.option, args.messy))


def _extra_options(pairs: list[str], messy: bool) -> dict[str, Any]:
    """--messy and --option NAME=VALUE as SandboxOptions fields (unknown names refused)."""
    from .testing import MESSY_OPTIONS

    known = {f.name for f in fields(SandboxOptions)}
    options: dict[str, Any] = dict(MESSY_OPTIONS) if messy else {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or name not in known:
            raise SystemExit(f"--option {pair}: expected NAME=VALUE with NAME one of "
                             f"{', '.join(sorted(known))}")
        try:
            options[name] = json.loads(raw)
        except json.JSONDecodeError:
            options[name] = raw
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM, then stop threads and save the data file."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(args.log_level.upper())  # else it forces INFO
    server = RunningServer(options_from_args(args), args.host, args.port)

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"qbo-sandbox listening on {server.base_url}", file=sys.stderr, flush=True)
    if server.oauth_base_url:
        print(f"OAuth endpoints on {server.oauth_base_url}", file=sys.stderr, flush=True)
    for company in server.sandbox.company_list():
        print(f"company {company.realm_id}: {company.name}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
