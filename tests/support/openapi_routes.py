"""The routes a Flask app serves and the paths an openapi.yaml documents, in one shape
(`{"/path/{param}": {"GET", ...}}`), so each service's test compares the two in one line."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROBES = frozenset({"/healthz", "/readyz", "/metrics", "/static/<path:filename>"})
METHODS = ("get", "post", "put", "delete", "patch")


def app_routes(app: Any, keep: Callable[[str], bool] = lambda rule: rule not in PROBES,
               ) -> dict[str, set[str]]:
    """Every rule `keep` admits (by default all but the probes), in OpenAPI's path syntax."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if keep(rule.rule):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
    return routes


def documented_routes(openapi: Path) -> dict[str, set[str]]:
    """A reader for our own layout (two-space paths, four-space methods): no YAML library."""
    documented: dict[str, set[str]] = {}
    current = None
    for line in openapi.read_text().split("paths:\n", 1)[1].splitlines():
        if match := re.fullmatch(r"  (/\S*):", line):
            current = match.group(1)
            documented[current] = set()
        elif current and (match := re.fullmatch(rf"    ({'|'.join(METHODS)}):.*", line)):
            documented[current].add(match.group(1).upper())
    return documented


def document_routes(document: dict[str, Any]) -> dict[str, set[str]]:
    """The same from an OpenAPI document already loaded as a dict."""
    return {path: {m.upper() for m in item if m in METHODS}
            for path, item in document["paths"].items()}
