"""The generated manifests are current, and the topics, users and scripts match the code."""
from __future__ import annotations

import importlib
import runpy
from pathlib import Path
from typing import Any

import pytest
from clientsynq.common.events import topics as registry
from generator import __main__ as generator  # deploy/k8s, on pyproject's pythonpath
from generator.model import SERVICES

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "deploy" / "k8s" / "base" / "generated"


def test_generated_manifests_are_what_the_generator_writes() -> None:
    """A topic added to the registry (or a service changed) fails here until
    `python deploy/k8s/generate.py` is run and its output committed."""
    expected = generator.render()
    committed = {p.name: p.read_text() for p in GENERATED.glob("*.yaml")}
    stale = sorted(name for name in expected.keys() | committed.keys()
                   if expected.get(name) != committed.get(name))
    assert stale == [], "run `python deploy/k8s/generate.py` and commit deploy/k8s/base/generated"


def test_a_kafka_topic_for_every_registry_topic_and_its_dead_letters(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    topics = {d["spec"]["topicName"]: d["spec"] for d in rendered["prod"]
              if d["kind"] == "KafkaTopic"}
    assert sorted(topics) == sorted(registry.all_topic_names())
    for name, spec in registry.TOPICS.items():
        assert topics[name]["partitions"] == spec.partitions
        assert topics[name]["replicas"] == 3
        assert topics[name]["config"]["min.insync.replicas"] == 2


def test_kafka_users_may_touch_only_their_topics(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    users = {d["metadata"]["name"]: d["spec"]["authorization"]["acls"] for d in rendered["prod"]
             if d["kind"] == "KafkaUser"}
    assert set(users) == {svc.distribution for svc in SERVICES} | {"clientsynq-ops"}
    for svc in SERVICES:
        acls = users[svc.distribution]
        writable = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        readable = {a["resource"]["name"] for a in acls if "Read" in a["operations"]
                    and a["resource"]["type"] == "topic"}
        assert writable == set(svc.produces) | {registry.dlq_topic(t) for t in
                                                svc.worker.consumes}
        assert readable == set(svc.worker.consumes)
        assert all(a["resource"].get("patternType", "literal") == "literal" for a in acls)
        assert all(a["resource"].get("name") != "*" for a in acls)


def test_worker_autoscaling_stops_at_the_partition_count(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    """A consumer replica beyond the partitions of its topics would sit idle."""
    hpas = {d["metadata"]["name"]: d["spec"] for d in rendered["prod"]
            if d["kind"] == "HorizontalPodAutoscaler"}
    for svc in SERVICES:
        if svc.worker.consumes:
            ceiling = min(registry.TOPICS[t].partitions for t in svc.worker.consumes)
            assert hpas[f"{svc.distribution}-worker"]["maxReplicas"] == ceiling


def test_every_callable_the_index_script_names_exists() -> None:
    script = runpy.run_path(str(REPO / "services" / "ensure_indexes.py"))
    for names in script["SERVICES"].values():
        for path in names:
            if path.startswith("ensure_indexes:"):
                assert callable(script[path.partition(":")[2]])
                continue
            module, _, attribute = path.partition(":")
            try:
                assert callable(getattr(importlib.import_module(module), attribute))
            except ModuleNotFoundError:  # a service not installed in this environment
                pytest.skip(f"{module} not installed")


def test_the_topic_check_names_what_is_missing() -> None:
    script = runpy.run_path(str(REPO / "services" / "check_topics.py"))
    everything = {f"p.{name}" for name in registry.all_topic_names()}
    assert script["missing_topics"](everything, "p.") == []
    assert script["missing_topics"](everything - {"p.sync.progress.dlq"}, "p.") == [
        "p.sync.progress.dlq"]
