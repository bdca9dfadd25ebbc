"""gunicorn settings for every service image (the Dockerfile's default command).

The app comes from APP_MODULE (a build argument baked into each image), the port from PORT.
WEB_CONCURRENCY (worker processes) and GUNICORN_CMD_ARGS are read by gunicorn itself.
The access log shows the path without its query string: the OAuth callback carries a code
and invitation links carry tokens, and neither may reach a log.
"""
import os

wsgi_app = os.environ["APP_MODULE"]
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
# Two processes for a 2-core node: a Python process runs one thread at a time (the GIL), so a
# CPU-bound view (portal-svc's invoice pages: decoding, status, JSON, ~4 ms each when not
# cached) gets at most one core per process; four threads each overlap the MongoDB and
# auth-svc round trips. Measured with bench/portal_api.py (docs/benchmarks.md, issue 14).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
# Heartbeat files in memory (a tmpfs in Docker and Kubernetes): the root fs is read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108
graceful_timeout = 25  # inside Kubernetes' 30 s termination grace period
keepalive = 75  # longer than the ingress's upstream keep-alive, so it closes first
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}i)s'
