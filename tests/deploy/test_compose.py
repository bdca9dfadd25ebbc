"""docker-compose.yml: valid by the Compose specification (compose-go, the library Docker
Compose uses) and by our own rules, each rule caught on a model broken its way."""
from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import compose_policy
import pytest
from rendering import compose_model

Model = dict[str, Any]


def test_compose_runs_every_process(compose: Model) -> None:
    assert set(compose["services"]) >= {
        "kafka", "mongo", "topics", "indexes", "qbo-sandbox", "mail-sink", "gateway",
        "auth", "auth-worker", "sync", "sync-worker", "webhook", "webhook-worker", "portal",
        "portal-worker"}


def test_every_rule_holds(compose: Model) -> None:
    assert {name: check(compose) for name, check in compose_policy.CHECKS.items()
            if check(compose)} == {}


def _svc(model: Model, name: str) -> dict[str, Any]:
    return model["services"][name]  # type: ignore[no-any-return]


BREAKAGES: dict[str, Callable[[Model], None]] = {
    "bridge_network": lambda m: _svc(m, "sync").update(network_mode="host", networks=None),
    "one_published_port": lambda m: _svc(m, "kafka").update(
        ports=[{"target": 9092, "published": "9092"}]),
    "health_ordered": lambda m: _svc(m, "sync-worker")["depends_on"]["auth"].update(
        condition="service_started"),
    "named_volumes": lambda m: _svc(m, "mongo").update(volumes=[]),
    "pinned_images": lambda m: _svc(m, "mongo").update(image="mongo:latest"),
    "images_built_here": lambda m: _svc(m, "topics").pop("pull_policy"),
    "read_only_apps": lambda m: _svc(m, "portal").update(read_only=False),
    "infrastructure": lambda m: _svc(m, "mongo").update(command=["mongod"]),
}


@pytest.mark.parametrize("rule", sorted(BREAKAGES))
def test_each_rule_catches_its_broken_model(compose: Model, rule: str) -> None:
    model = copy.deepcopy(compose)
    BREAKAGES[rule](model)
    assert compose_policy.CHECKS[rule](model) != []


def test_every_rule_has_a_broken_model() -> None:
    assert set(BREAKAGES) == set(compose_policy.CHECKS)


@pytest.mark.parametrize("text, message", [
    ("services:\n  a:\n    image: x:1\n    depends_on: {b: {condition: sometimes}}\n"
     "  b:\n    image: x:1\n", "condition"),
    ("services:\n  a:\n    image: x:1\n    helthcheck: {test: [CMD, true]}\n", "helthcheck"),
    ("services:\n  a:\n    image: x:1\n    network_mode: host\n    networks: [n]\n"
     "networks:\n  n: {}\n", "network_mode"),
])
def test_a_file_against_the_compose_specification_is_refused(
        tmp_path: Path, text: str, message: str) -> None:
    source = tmp_path / "bad.yml"
    source.write_text(text)
    with pytest.raises(ValueError, match=message):
        compose_model(source, tmp_path)
