"""A stand-in gateway (nginx) for the browser tests until the shared gateway fixture of
`deploy/gateway/` is wired in: one origin, `/auth/v1/` to auth-svc, the rest to portal-svc,
Server-Sent Events unbuffered."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CONF = """
worker_processes 1;
pid {run}/nginx.pid;
error_log {logs}/gateway-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {logs}/gateway-access.log;
  client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi; uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
  client_max_body_size 2m;
  proxy_http_version 1.1;
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header Connection "";
  server {{
    listen 127.0.0.1:{port};
    location /auth/v1/ {{ proxy_pass {auth}; }}
    location /live/ {{ proxy_pass {portal}; proxy_buffering off; proxy_read_timeout 1h; }}
    location / {{ proxy_pass {portal}; }}
  }}
}}
"""


@contextmanager
def nginx_gateway(port: int, upstreams: dict[str, str], logs: Path) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    run = logs.parent / "nginx"
    run.mkdir(parents=True, exist_ok=True)
    conf = run / "nginx.conf"
    conf.write_text(CONF.format(run=run, logs=logs, port=port, **upstreams))
    process = subprocess.Popen([nginx, "-p", str(run), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
