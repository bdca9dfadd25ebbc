"""openapi.yaml documents every route of the app, with its methods, and nothing else."""
from __future__ import annotations

import re
from pathlib import Path

from auth_harness import UNIT_ENV as BASE
from clientsynq.auth.app import create_app
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings

OPENAPI = Path(__file__).parents[2] / "openapi.yaml"
PROBES = {"/healthz", "/readyz", "/metrics", "/static/<path:filename>"}


def _documented() -> dict[str, set[str]]:
    """A reader for our own layout (two-space paths, four-space methods): no YAML library."""
    documented: dict[str, set[str]] = {}
    current = None
    for line in OPENAPI.read_text().split("paths:\n", 1)[1].splitlines():
        if match := re.fullmatch(r"  (/\S*):", line):
            current = match.group(1)
            documented[current] = set()
        elif current and (match := re.fullmatch(r"    (get|post|put|delete|patch):.*", line)):
            documented[current].add(match.group(1).upper())
    return documented


def test_every_route_is_documented_with_its_methods(tmp_path):
    env = {**BASE, "AUTH_SIGNING_KEYS_DIR": str(tmp_path), "AUTH_GENERATE_SIGNING_KEY": "true"}
    app = create_app(build(Settings.from_env(env), create_indexes=False))
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule in PROBES:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert routes == _documented()
