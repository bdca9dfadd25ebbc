"""openapi.yaml documents every route of the app, with its methods, and nothing else."""
from __future__ import annotations

import re
from pathlib import Path

from clientsynq.common.crypto import generate_key
from clientsynq.webhooks.app import create_app
from clientsynq.webhooks.bootstrap import build
from clientsynq.webhooks.config import Settings

OPENAPI = Path(__file__).parents[2] / "openapi.yaml"
PROBES = {"/healthz", "/readyz", "/metrics", "/static/<path:filename>"}
ENV = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "MONGODB_URI": "mongodb://127.0.0.1:9/",
       "QBO_WEBHOOK_VERIFIER_TOKEN": "v", "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}",
       "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1"}


def documented() -> dict[str, set[str]]:
    """A reader for our own layout (two-space paths, four-space methods): no YAML library."""
    found: dict[str, set[str]] = {}
    current = None
    for line in OPENAPI.read_text().split("paths:\n", 1)[1].splitlines():
        if match := re.fullmatch(r"  (/\S*):", line):
            current = match.group(1)
            found[current] = set()
        elif current and (match := re.fullmatch(r"    (get|post|put|delete|patch):.*", line)):
            found[current].add(match.group(1).upper())
    return found


def test_every_route_is_documented_with_its_methods():
    app = create_app(build(Settings.from_env(ENV)))
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule in PROBES:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert routes == documented()
