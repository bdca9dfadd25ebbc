"""Fixtures of the offline deployment validation: rendered overlays and the compose model.

kustomize and compose-check are built once from the Go module proxy into .cache/infra/bin
(`make setup` does it; a first test run does it too); after that nothing here needs a
network, a Docker engine or a cluster.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from k8s_policy import OVERLAYS
from rendering import compose_model, kustomize_build

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {name: kustomize_build(REPO / "deploy" / "k8s" / "overlays" / name)
            for name in OVERLAYS}


@pytest.fixture(scope="session")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compose_model(REPO / "docker-compose.yml", tmp_path_factory.mktemp("compose"))
