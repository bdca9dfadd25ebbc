"""The compose gateway's nginx config: the template's routes plus the sandbox's, valid nginx."""
from __future__ import annotations

import runpy
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]


def compose_config() -> str:
    module = runpy.run_path(str(REPO / "deploy" / "gateway" / "render_compose.py"))
    return module["compose_config"]()  # type: ignore[no-any-return]


def test_sandbox_paths_are_routed_before_the_portal() -> None:
    text = compose_config()
    portal = text.index("        location / {")
    for path in ("/connect/", "/oauth2/", "/v3/company/", "/.well-known/openid_"):
        assert -1 < text.index(f"location ^~ {path} {{ proxy_pass http://qbo-sandbox:8090") < portal
    assert "location ^~ /internal/ { return 404; }" in text  # the template's rules stay
    assert "{{" not in text


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is installed by `make setup` (the gateway)")
def test_nginx_accepts_the_rendered_config(tmp_path: Path) -> None:
    # Container names resolve only inside the compose network: loopback stands in for them.
    text = compose_config().replace(" /tmp/", f" {tmp_path}/")  # pid and temp files
    text = text.replace("/var/log/nginx", str(tmp_path))
    for host in ("portal:8080", "webhook:8080", "qbo-sandbox:8090"):
        text = text.replace(host, "127.0.0.1:9")
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr


def test_the_compose_health_checks_ask_paths_the_gateway_answers(
        compose: dict[str, Any]) -> None:
    test = compose["services"]["gateway"]["healthcheck"]["test"]
    path = urlsplit(next(word for word in test if word.startswith("http://"))).path
    assert f"location = {path} " in compose_config()
    dockerfile = (REPO / "deploy" / "gateway" / "Dockerfile").read_text()
    assert f"http://127.0.0.1:8080{path}" in dockerfile
