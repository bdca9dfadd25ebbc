"""In Kubernetes the Ingress is the gateway: it routes what deploy/gateway/nginx.conf routes,
to the same services, and refuses what it refuses."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from k8s_policy import OVERLAYS

REPO = Path(__file__).resolve().parents[2]
UPSTREAMS = {"portal": "portal-svc", "auth": "auth-svc", "webhook": "webhook-svc"}
BLOCKED = "clientsynq-blocked"
LOCATION = re.compile(r"^\s*location (?:=|\^~)? ?(\S+) \{", re.M)


def gateway_routes() -> dict[str, str]:
    """Location path → service (or BLOCKED), from the gateway template."""
    text = (REPO / "deploy" / "gateway" / "nginx.conf").read_text()
    starts = list(LOCATION.finditer(text))
    routes = {}
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        path = here.group(1)
        body = text[here.end():after.start() if after else len(text)]
        if path.startswith("/__") or "internal;" in body:
            continue  # nginx-internal rewrites (SSE)
        if "return 404" in body:
            routes[path.rstrip("/") or "/"] = BLOCKED
        elif found := re.search(r"proxy_pass http://(\w+)", body):
            routes[path.rstrip("/") or "/"] = UPSTREAMS[found.group(1)]
    return routes


def ingress_routes(docs: list[dict[str, Any]]) -> dict[str, str]:
    return {p["path"].rstrip("/") or "/": p["backend"]["service"]["name"]
            for d in docs if d["kind"] == "Ingress"
            for rule in d["spec"]["rules"] for p in rule["http"]["paths"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_routes_as_the_gateway_does(
        rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    expected = gateway_routes()
    assert {"/internal", "/metrics", "/auth/v1/operator", "/auth/v1", "/"} <= set(expected)
    assert ingress_routes(rendered[overlay]) == expected


def test_every_ingress_serves_tls_from_cert_manager(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    for d in (d for d in rendered["prod"] if d["kind"] == "Ingress"):
        assert d["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
        assert {h for t in d["spec"]["tls"] for h in t["hosts"]} == {
            r["host"] for r in d["spec"]["rules"]}
