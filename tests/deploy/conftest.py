"""Fixtures of the offline deployment validation: rendered overlays and the compose model.

kustomize and compose-check are built once from the Go module proxy into .cache/infra/bin
(`make setup` does it; a first test run does it too); after that nothing here needs a
network, a Docker engine or a cluster.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "deploy" / "local"))

from k8s_policy import OVERLAYS  # noqa: E402
from localinfra.deploytools import install_compose_check, install_kustomize  # noqa: E402


def kustomize_build(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run([str(install_kustomize()), "build", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {name: kustomize_build(REPO / "deploy" / "k8s" / "overlays" / name)
            for name in OVERLAYS}


def compose_model(compose_file: Path, workdir: Path) -> dict[str, Any]:
    """compose-go's normalised project; env_file contents left empty on purpose, so only
    what docker-compose.yml itself sets shows in each service's environment."""
    (workdir / ".local").mkdir(exist_ok=True)
    (workdir / ".local" / "dev.env").write_text("")
    target = workdir / "docker-compose.yml"
    if compose_file != target:
        target.write_text(compose_file.read_text())
    done = subprocess.run([str(install_compose_check()), str(target)], capture_output=True,
                          text=True, timeout=60, check=False, cwd=workdir)
    if done.returncode != 0:
        raise ValueError(done.stderr.strip())
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compose_model(REPO / "docker-compose.yml", tmp_path_factory.mktemp("compose"))
