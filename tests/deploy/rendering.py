"""Renders what the tests check: an overlay through kustomize, a compose file through
compose-go (both built once into .cache/infra/bin by localinfra.deploytools)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml
from localinfra.deploytools import install_compose_check, install_kustomize

REPO = Path(__file__).resolve().parents[2]


def kustomize_build(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run([str(install_kustomize()), "build", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


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
