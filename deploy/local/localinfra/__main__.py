"""`python -m localinfra install|up|down|status`: the developer's Kafka and MongoDB-wire pair.

`up` is idempotent: a server already running (pid alive and answering) is left alone.
Ports come from LOCAL_KAFKA_PORT (9092), LOCAL_KAFKA_CONTROLLER_PORT (9093) and
LOCAL_MONGO_PORT (27017).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import install, paths, servers
from .progress import note, step


def _home(name: str) -> Path:
    return paths.RUN / name


def _running_pid(name: str) -> int | None:
    pid_file = _home(name) / "pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip() or 0)
    return pid if pid and servers.is_alive(pid) else None


def up() -> dict[str, str]:
    kafka_port = int(os.environ.get("LOCAL_KAFKA_PORT", "9092"))
    ctl_port = int(os.environ.get("LOCAL_KAFKA_CONTROLLER_PORT", "9093"))
    mongo_port = int(os.environ.get("LOCAL_MONGO_PORT", "27017"))
    found = {"kafka": f"127.0.0.1:{kafka_port}", "mongodb": f"mongodb://127.0.0.1:{mongo_port}/"}
    if _running_pid("kafka") is None:
        with step(f"starting Kafka {paths.KAFKA_VERSION} (KRaft) on 127.0.0.1:{kafka_port}"):
            servers.start_kafka(_home("kafka"), kafka_port, ctl_port)
    if _running_pid("mongodb") is None:
        with step(f"starting FerretDB {paths.FERRETDB_VERSION} on 127.0.0.1:{mongo_port}"):
            servers.start_ferretdb(_home("mongodb"), mongo_port)
    return found


def down() -> None:
    for name in ("kafka", "mongodb"):
        pid = _running_pid(name)
        if pid is not None:
            with step(f"stopping {name} (pid {pid})"):
                servers.stop(pid)


def status() -> int:
    code = 0
    for name in ("kafka", "mongodb"):
        pid = _running_pid(name)
        note(f"{name}: {'running, pid ' + str(pid) if pid else 'stopped'}")
        code |= 0 if pid else 1
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localinfra", description=__doc__)
    parser.add_argument("command", choices=["install", "up", "down", "status"])
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install.install_all()
        elif args.command == "up":
            for name, address in up().items():
                print(f"{name}={address}")
        elif args.command == "down":
            down()
        else:
            return status()
    except (install.InstallError, servers.ServerError) as err:
        print(f"[infra] error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
