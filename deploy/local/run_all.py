"""`make run`: infrastructure up, topics created, every process started under one supervisor.

Prints where everything listens once it answers, then stays in the foreground (Ctrl-C stops
the services; `make infra-down` stops Kafka and FerretDB).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from devenv import PORTS, REPO, ensure_dev_env
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


def banner(env: dict[str, str]) -> str:
    lines = ["", "ClientSynq is running:",
             f"  portal   http://127.0.0.1:{PORTS['portal']}/",
             f"  auth     http://127.0.0.1:{PORTS['auth']}/healthz",
             f"  sync     http://127.0.0.1:{PORTS['sync']}/healthz",
             f"  webhook  http://127.0.0.1:{PORTS['webhook']}/healthz",
             f"  QuickBooks sandbox  http://127.0.0.1:{PORTS['sandbox']}/"
             " (control API under /_sandbox/)",
             f"  Kafka    {env['KAFKA_BOOTSTRAP_SERVERS']}",
             f"  MongoDB  {env['MONGODB_URI']} (FerretDB)",
             "Stop with Ctrl-C; `make infra-down` stops Kafka and FerretDB.", ""]
    return "\n".join(lines)


def main() -> int:
    env = {**os.environ, **ensure_dev_env()}
    up()
    with step("creating Kafka topics"):
        subprocess.run([sys.executable, "-m", "clientsynq.common.kafka.bootstrap"], env=env,
                       check=True)
    supervisor = subprocess.Popen(["honcho", "start", "-f", str(REPO / "Procfile")], env=env,
                                  cwd=REPO)
    try:
        urls = {"sandbox": f"http://127.0.0.1:{PORTS['sandbox']}/_sandbox/health",
                **{n: f"http://127.0.0.1:{p}/healthz" for n, p in PORTS.items() if n != "sandbox"}}
        if all(wait_healthy(n, u, supervisor) for n, u in urls.items()):
            print(banner(env), flush=True)
        return supervisor.wait()
    except KeyboardInterrupt:
        supervisor.terminate()
        return supervisor.wait()


if __name__ == "__main__":
    sys.exit(main())
