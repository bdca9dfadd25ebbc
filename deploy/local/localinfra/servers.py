"""Start, probe and stop one Kafka broker and one FerretDB as child processes.

Readiness is real: Kafka must answer a metadata request and FerretDB a `ping`, not just
open a port. Each server lives in a directory of its own (data, logs, pid file), so the
`make run` pair and every test session's pair never share state.
"""
from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import install, paths


class ServerError(RuntimeError):
    """A server did not become ready; the message ends with the tail of its log."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    address: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_kafka(home: Path, port: int, controller_port: int, timeout: float = 90) -> Endpoint:
    """A single KRaft node acting as broker and controller, storage formatted on first start."""
    libs = install.install_kafka()
    home.mkdir(parents=True, exist_ok=True)
    props = home / "server.properties"
    props.write_text(_kafka_properties(home, port, controller_port))
    # 1 GiB: the long-lived `make infra-up` broker collects partitions (benchmarks, killed
    # runs: 16,000 of them once) and ran out of a 512 MiB heap with every client failing.
    java = ["java", "-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={home / 'logs'}",
            f"-Dlog4j2.configurationFile={paths.DEPLOY_LOCAL / 'kafka' / 'log4j2.properties'}",
            "-cp", f"{libs}/*"]
    if not (home / "data" / "meta.properties").exists():
        cluster_id = _cluster_id()
        subprocess.run([*java, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                        "-c", str(props)], check=True, capture_output=True)
    proc = _spawn([*java, "kafka.Kafka", str(props)], home)
    address = f"127.0.0.1:{port}"
    _wait(lambda: _kafka_ready(address), proc, home, "Kafka", timeout)
    return Endpoint("kafka", address, proc.pid)


def start_ferretdb(home: Path, port: int, timeout: float = 60) -> Endpoint:
    """FerretDB on its SQLite backend; telemetry off, debug listener off (port clashes)."""
    binary = install.install_ferretdb()
    (home / "data").mkdir(parents=True, exist_ok=True)
    proc = _spawn([str(binary), "--handler=sqlite", f"--sqlite-url=file:{home / 'data'}/",
                   f"--listen-addr=127.0.0.1:{port}", "--telemetry=disable", "--debug-addr=-",
                   f"--state-dir={home}", "--log-level=warn"], home)
    uri = f"mongodb://127.0.0.1:{port}/"
    _wait(lambda: _mongo_ready(uri), proc, home, "FerretDB", timeout)
    return Endpoint("mongodb", uri, proc.pid)


def stop(pid: int, timeout: float = 20) -> None:
    """SIGTERM the server's process group, then SIGKILL whatever is left after `timeout`."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):  # it exited just now: nothing to kill
        os.killpg(pid, signal.SIGKILL)


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child still "exists"; reap it so it counts as gone
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _cluster_id() -> str:
    """A Kafka-style id (base64url of a UUID). One starting with '-' would be read as an
    option by the storage tool, so draw again (a 1-in-32 chance each time)."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not candidate.startswith("-"):
            return candidate


def _kafka_properties(home: Path, port: int, controller_port: int) -> str:
    return "\n".join([
        "process.roles=broker,controller", "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={home / 'data'}", "num.partitions=1", "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0", "log.retention.hours=168", "",
    ])


def _spawn(cmd: list[str], home: Path) -> subprocess.Popen[bytes]:
    log = open(home / "process.log", "ab")  # noqa: SIM115 - handed to the child for its lifetime
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    (home / "pid").write_text(str(proc.pid))
    return proc


def _wait(probe, proc: subprocess.Popen[bytes], home: Path, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{name} exited with {proc.returncode}:\n{_tail(home)}")
        if probe():
            return
        time.sleep(0.3)
    stop(proc.pid)
    raise ServerError(f"{name} not ready after {timeout:.0f}s:\n{_tail(home)}")


def _tail(home: Path) -> str:
    logs = [home / "process.log", home / "logs" / "server.log"]
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())


def _kafka_ready(address: str) -> bool:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(bootstrap_servers=address, request_timeout_ms=3000,
                                 client_id="localinfra-probe")
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _mongo_ready(uri: str) -> bool:
    import pymongo
    from pymongo.errors import PyMongoError

    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()
