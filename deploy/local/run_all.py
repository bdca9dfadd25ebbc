"""`make run`: infrastructure up, topics created, every process started under one supervisor.

Prints where everything listens once it answers, then stays in the foreground (Ctrl-C stops
the services; `make infra-down` stops Kafka and FerretDB).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from devenv import GATEWAY_URL, PORTS, REPO, ensure_dev_env
from localinfra.__main__ import up
from localinfra.progress import note, step


def wait_healthy(name: str, url: str, supervisor: subprocess.Popen[bytes],
                 timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    note(f"{name} did not answer {url}")
    return False


def health_urls() -> dict[str, str]:
    special = {"sandbox": "/_sandbox/health", "mail": "/messages"}
    return {name: f"http://127.0.0.1:{port}{special.get(name, '/healthz')}"
            for name, port in PORTS.items()}


def banner(env: dict[str, str]) -> str:
    lines = ["", "ClientSynq is running:",
             f"  open     {GATEWAY_URL}/  (the gateway: app, client portal, /api/v1, OAuth"
             " callback, Intuit webhooks)",
             f"  portal   http://127.0.0.1:{PORTS['portal']}/healthz (pages: through the gateway)",
             f"  auth     http://127.0.0.1:{PORTS['auth']}/healthz (public: through the gateway)",
             f"  auth     http://127.0.0.1:{PORTS['auth_internal']}/healthz (internal API:"
             " other services and operators only)",
             f"  sync     http://127.0.0.1:{PORTS['sync']}/healthz",
             f"  webhook  http://127.0.0.1:{PORTS['webhook']}/healthz",
             f"  mail     http://127.0.0.1:{PORTS['mail']}/  (mail catcher: sign-up, invitation"
             " and reset mails; JSON at /messages)",
             f"  QuickBooks sandbox  http://127.0.0.1:{PORTS['sandbox']}/"
             " (control API under /_sandbox/)",
             f"  Kafka    {env['KAFKA_BOOTSTRAP_SERVERS']}",
             f"  MongoDB  {env['MONGODB_URI']} (FerretDB)",
             "Stop with Ctrl-C; `make infra-down` stops Kafka and FerretDB.", ""]
    return "\n".join(lines)


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM or SIGHUP (an operator's `kill`, a closed terminal) stops the stack as
    Ctrl-C does: without this, Python died at once and left every service running under an
    orphaned honcho."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> int:
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _interrupt)
    env = {**os.environ, **ensure_dev_env()}
    # The Procfile names honcho, gunicorn and python of this interpreter's environment:
    # `make run` puts its bin/ on PATH; a bench or an operator may run this file directly.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    up()
    with step("creating Kafka topics"):
        subprocess.run([sys.executable, "-m", "clientsynq.common.kafka.bootstrap"], env=env,
                       check=True)
    supervisor = subprocess.Popen(["honcho", "start", "-f", str(REPO / "Procfile")], env=env,
                                  cwd=REPO)
    try:
        silent = [name for name, url in health_urls().items()
                  if not wait_healthy(name, url, supervisor)]
        print(banner(env), flush=True)
        if silent:
            note(f"not answering yet: {', '.join(silent)} (see the log lines above)")
        # A demo login whose business is already connected to the sandbox's demo company.
        try:
            subprocess.run([sys.executable, str(REPO / "deploy" / "local" / "demo.py")],
                           env=env, check=False, timeout=180)
        except subprocess.TimeoutExpired:
            note("the demo business was not ready within 3 minutes; `make demo` tries again")
        return supervisor.wait()
    except KeyboardInterrupt:
        supervisor.terminate()
        return supervisor.wait()


if __name__ == "__main__":
    sys.exit(main())
