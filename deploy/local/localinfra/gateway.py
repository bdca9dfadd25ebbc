"""The gateway (nginx) for developers and tests: install it, render its config, run it.

`python -m localinfra.gateway serve --port 8000 --portal 127.0.0.1:8080 --auth … --webhook …`
renders `deploy/gateway/nginx.conf` into `.local/gateway/<port>/` and runs nginx in the
foreground (as `make run`'s supervisor expects). `install_nginx()` is part of `make setup`:
Debian's package, installed with apt-get when no nginx binary is found.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from . import paths
from .install import InstallError
from .progress import note, step

TEMPLATE_DIR = paths.REPO / "deploy" / "gateway"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class GatewayError(InstallError):
    """nginx is missing and cannot be installed, or it refused the rendered config."""


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def install_nginx() -> str:
    """Debian's nginx package; apt-get needs root (or sudo without a password)."""
    found = nginx_binary()
    if found:
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    with step("installing nginx (Debian package) for the gateway"):
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "nginx"]):
            done = subprocess.run(prefix + cmd, capture_output=True, text=True, check=False,
                                  env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            if done.returncode != 0:
                raise GatewayError(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
    found = nginx_binary()
    if found is None:
        raise GatewayError("nginx was installed but is not on PATH")
    note(f"nginx at {found}")
    return found


def render(values: Mapping[str, str], template: str = "nginx.conf") -> str:
    text = (TEMPLATE_DIR / template).read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        missing = text[text.index("{{"):text.index("}}", text.index("{{")) + 2]
        raise GatewayError(f"the gateway template needs a value for {missing}")
    return text


def write_config(workdir: Path, port: int, upstreams: Mapping[str, str],
                 host: str = "127.0.0.1", tls: tuple[str, str] | None = None) -> Path:
    """A plain-HTTP loopback config in `workdir`; `upstreams` maps portal/auth/webhook to
    host:port (a missing upstream answers 502, so a test may leave one out). With `tls`
    (certificate and key paths) it listens with TLS on all addresses, as in production."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name in TEMP_DIRS:
        (workdir / name).mkdir(exist_ok=True)
        (workdir / name).chmod(0o777)  # nginx workers may run as another user than the master
    values = {
        "WORKER_PROCESSES": "1", "RUN_DIR": str(workdir), "LOG_DIR": str(workdir),
        "LISTEN": f"listen {host}:{port};", "SERVER_NAME": host, "TLS": "",
        **(_tls_values(workdir, port, tls) if tls else {}),
        "PORTAL_UPSTREAM": upstreams.get("portal", "127.0.0.1:9"),
        "AUTH_UPSTREAM": upstreams.get("auth", "127.0.0.1:9"),
        "WEBHOOK_UPSTREAM": upstreams.get("webhook", "127.0.0.1:9"),
    }
    conf = workdir / "nginx.conf"
    conf.write_text(render(values))
    return conf


def _tls_values(workdir: Path, port: int, tls: tuple[str, str]) -> dict[str, str]:
    (workdir / "tls.conf").write_text(render({"TLS_CERT": tls[0], "TLS_KEY": tls[1]},
                                             "tls.conf"))
    return {"LISTEN": f"listen {port} ssl http2;", "SERVER_NAME": "_",
            "TLS": f"include {workdir}/tls.conf;"}


def nginx_command(conf: Path) -> list[str]:
    binary = nginx_binary()
    if binary is None:
        raise GatewayError("nginx is not installed: run `make setup`")
    return [binary, "-e", "stderr", "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"]


def check_config(conf: Path) -> None:
    done = subprocess.run([*nginx_command(conf)[:-2], "-t"], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise GatewayError(f"nginx refused {conf}: {done.stderr[-2000:]}")


@contextmanager
def running_gateway(workdir: Path, port: int, upstreams: Mapping[str, str]) -> Iterator[str]:
    """nginx in front of `upstreams` on 127.0.0.1:`port` until the block ends; its URL."""
    conf = write_config(workdir, port, upstreams)
    check_config(conf)
    process = subprocess.Popen(nginx_command(conf), stdout=subprocess.DEVNULL,
                               stderr=(workdir / "nginx.stderr").open("wb"))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localinfra.gateway", description=__doc__)
    parser.add_argument("command", choices=["install", "serve", "render"])
    parser.add_argument("--port", type=int, default=8000)
    for name in ("portal", "auth", "webhook"):
        parser.add_argument(f"--{name}", default="", help="host:port of the service")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install_nginx()
            return 0
        upstreams = {n: getattr(args, n) for n in ("portal", "auth", "webhook") if getattr(args, n)}
        conf = write_config(paths.REPO / ".local" / "gateway" / str(args.port), args.port,
                            upstreams)
        if args.command == "render":
            print(conf)
            return 0
        check_config(conf)
        command = nginx_command(conf)
        os.execv(command[0], command)  # noqa: S606 - the supervisor then signals nginx itself
    except GatewayError as err:
        print(f"[gateway] error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
