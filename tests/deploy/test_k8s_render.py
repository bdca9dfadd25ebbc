"""Both overlays render, and every resource passes its schema (Kubernetes or CRD)."""
from __future__ import annotations

import copy
import json
from typing import Any

import k8s_schema
import pytest
from k8s_policy import OVERLAYS

Rendered = dict[str, list[dict[str, Any]]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_every_kind(rendered: Rendered, overlay: str) -> None:
    kinds = {doc["kind"] for doc in rendered[overlay]}
    assert {"Namespace", "Deployment", "Service", "ConfigMap", "ServiceAccount",
            "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "Ingress",
            "Job", "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "MongoDBCommunity",
            "ExternalSecret", "SecretStore", "ClusterIssuer", "ServiceMonitor",
            "PrometheusRule"} <= kinds
    assert all(doc["metadata"].get("namespace") == "clientsynq"
               for doc in rendered[overlay] if doc["kind"] not in ("Namespace", "ClusterIssuer"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_resource_matches_its_schema(rendered: Rendered, overlay: str) -> None:
    problems = [p for doc in rendered[overlay] for p in k8s_schema.problems(doc)]
    assert problems == []


BREAKAGES = {  # kind → how to break it; each must be caught by its schema
    "Deployment": lambda d: d["spec"]["template"]["spec"]["containers"][0].update(
        livenesProbe={}),
    "NetworkPolicy": lambda d: d["spec"].update(podSelector="all"),
    "HorizontalPodAutoscaler": lambda d: d["spec"].update(minReplicas="two"),
    "KafkaTopic": lambda d: d["spec"].update(partitions="many"),
    "KafkaUser": lambda d: d["spec"]["authorization"]["acls"][0].update(operations=["Fly"]),
    "Kafka": lambda d: d["spec"]["kafka"]["listeners"][0].update(type="everywhere"),
    "KafkaNodePool": lambda d: d["spec"].update(roles=["leader"]),
    "MongoDBCommunity": lambda d: d["spec"].update(type="Cluster"),
    "ExternalSecret": lambda d: d["spec"].update(refreshInterval=7),
    "ClusterIssuer": lambda d: d["spec"]["acme"].update(sever="typo"),
    "ServiceMonitor": lambda d: d["spec"].update(endpoint=[]),
    "PrometheusRule": lambda d: d["spec"]["groups"][0]["rules"][0].pop("expr"),
    "Ingress": lambda d: d["spec"]["rules"][0]["http"]["paths"][0].update(port=80),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_a_broken_resource_of_each_kind_is_caught(rendered: Rendered, kind: str) -> None:
    doc = copy.deepcopy(next(d for d in rendered["prod"] if d["kind"] == kind))
    assert k8s_schema.problems(doc) == []
    BREAKAGES[kind](doc)
    assert k8s_schema.problems(doc) != []


def test_a_kind_without_any_schema_is_an_error() -> None:
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert k8s_schema.problems(doc) == ["Widget/w: no schema for example.com/v1 Widget"]


def test_kafka_version_is_one_strimzi_supports(rendered: Rendered) -> None:
    supported = json.loads((k8s_schema.CRDS.parent / "strimzi-kafka-versions.json").read_text())
    kafka = next(d for d in rendered["prod"] if d["kind"] == "Kafka")
    assert kafka["spec"]["kafka"]["version"] in supported["supported"]


def test_dev_runs_one_of_everything_and_prod_spreads(rendered: Rendered) -> None:
    def replicas(overlay: str, kind: str) -> set[int]:
        return {d["spec"].get("replicas", d["spec"].get("members"))
                for d in rendered[overlay] if d["kind"] == kind}
    for kind in ("Deployment", "KafkaNodePool", "MongoDBCommunity"):
        assert replicas("dev", kind) == {1}, kind
    assert min(replicas("prod", "KafkaNodePool") | replicas("prod", "MongoDBCommunity")) == 3
    web = [d for d in rendered["prod"] if d["kind"] == "Deployment"
           and d["metadata"]["labels"]["app.kubernetes.io/component"] == "web"]
    assert web and all(d["spec"]["replicas"] >= 3 for d in web)
