"""Render deploy/gateway/nginx.conf for the docker-compose gateway image (build time only).

The routing is the template's, unchanged; only for docker-compose it also proxies the
QuickBooks sandbox's OAuth and API paths, so the browser (consent page) and auth-svc
(token exchange) reach the sandbox at one URL, http://localhost:8080 — auth-svc shares the
gateway's network namespace (see docker-compose.yml) — and answers a health check.
Kubernetes does not use this image: its Ingress is the gateway there.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "local"))

from localinfra.gateway import render

VALUES = {
    # /tmp is the container's tmpfs; the log files are symlinks to stdout/stderr.
    "WORKER_PROCESSES": "auto", "RUN_DIR": "/tmp", "LOG_DIR": "/var/log/nginx",  # noqa: S108
    "LISTEN": "listen 8080;", "SERVER_NAME": "localhost", "TLS": "",
    "PORTAL_UPSTREAM": "portal:8080", "AUTH_UPSTREAM": "127.0.0.1:8081",
    "WEBHOOK_UPSTREAM": "webhook:8080",
}
SANDBOX_PATHS = ("/connect/", "/oauth2/", "/v2/oauth2/", "/v1/openid_connect/", "/op/v1/",
                 "/.well-known/openid_", "/v3/company/", "/_sandbox/")
ANCHOR = "        location / {\n"


def compose_config() -> str:
    text: str = render(VALUES)
    if ANCHOR not in text:
        raise SystemExit("deploy/gateway/nginx.conf has no `location / {` to add routes before")
    extra = ["        # docker-compose only: the QuickBooks sandbox, and the container's health.",
             "        location = /_gateway/health { access_log off; return 200 \"ok\\n\"; }"]
    extra += [f"        location ^~ {path} {{ proxy_pass http://qbo-sandbox:8090; }}"
              for path in SANDBOX_PATHS]
    return text.replace(ANCHOR, "\n".join(extra) + "\n\n" + ANCHOR, 1)


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(compose_config())
