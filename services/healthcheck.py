"""The image's HEALTHCHECK: 0 when the web process answers /healthz, 1 otherwise.

Standard library only (the image has no curl). A worker container, which serves no web
port, sets HEALTHCHECK_URL to its /metrics listener.
"""
import os
import sys
import urllib.request

port = os.environ.get("PORT", "8080")
url = os.environ.get("HEALTHCHECK_URL") or f"http://127.0.0.1:{port}/healthz"
try:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        sys.exit(0 if response.status == 200 else 1)
except OSError as err:
    print(f"unhealthy: {url}: {err}", file=sys.stderr)
    sys.exit(1)
