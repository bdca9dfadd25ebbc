"""Every variable docker-compose.yml and the Kubernetes manifests set is one the service
reads (Settings.from_env), so configuration drift fails the build."""
from __future__ import annotations

from typing import Any

import env_drift
import pytest
from devenv import _generated as dev_secrets
from k8s_policy import OVERLAYS

Docs = list[dict[str, Any]]
PLACEHOLDER = "placeholder-secret-value-0123456789abcdef"
# Well-formed stand-ins for what Secrets hold (key rings and URIs have a format).
SECRETS = {**dev_secrets(), "MONGODB_URI": "mongodb://user:pw@mongodb-svc:27017/admin"}


def _component(image: str) -> str:
    """ghcr.io/clientsynq/sync-svc:0.1.0 → sync-svc; the ops image runs the topic check."""
    name = image.rsplit("/", 1)[-1].partition(":")[0]
    return "topics" if name == "ops" else name


def _value(entry: dict[str, Any], config_maps: dict[str, dict[str, str]]) -> str:
    """A literal, a ConfigMap key's value, or a placeholder for a Secret's."""
    ref = entry.get("valueFrom", {}).get("configMapKeyRef")
    if ref:
        return config_maps[ref["name"]][ref["key"]]
    return str(entry.get("value", SECRETS.get(entry["name"], PLACEHOLDER)))


def k8s_environments(docs: Docs, optional: bool = True) -> list[tuple[str, str, dict[str, str]]]:
    """Each container's environment; ``optional=False`` leaves out the Secret keys marked
    optional (a rotation's previous values), absent from the store the rest of the time."""
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs
                   if d["kind"] == "ConfigMap"}
    out = []
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for c in doc["spec"]["template"]["spec"]["containers"]:
            env: dict[str, str] = {}
            for source in c.get("envFrom", []):
                env.update(config_maps[source["configMapRef"]["name"]])
            env.update({e["name"]: _value(e, config_maps) for e in c.get("env", [])
                        if optional or not _optional(e)})
            out.append((f"{doc['kind']}/{doc['metadata']['name']}", _component(c["image"]), env))
    return out


def _optional(entry: dict[str, Any]) -> bool:
    return bool(entry.get("valueFrom", {}).get("secretKeyRef", {}).get("optional"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_sets_only_variables_the_services_read(
        rendered: dict[str, Docs], overlay: str) -> None:
    environments = k8s_environments(rendered[overlay])
    assert len(environments) >= 8
    drift = {name: env_drift.unread(component, env) for name, component, env in environments}
    assert {name: names for name, names in drift.items() if names} == {}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_starts_with_its_kubernetes_environment(
        rendered: dict[str, Docs], overlay: str) -> None:
    """The other half of drift: a setting made required in config.py but missing from the
    manifests (secrets stand in with well-formed development values)."""
    problems = {name: env_drift.load_problems(component, env)
                for name, component, env in k8s_environments(rendered[overlay], optional=False)}
    assert {name: found for name, found in problems.items() if found} == {}


def compose_environments(compose: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    out = []
    for name, service in compose["services"].items():
        image = service.get("image", "")
        if not image.startswith("clientsynq/") or image.split(":")[0] in (
                "clientsynq/tools", "clientsynq/gateway"):
            continue
        component = {"clientsynq/ops:dev": name}.get(image, _component(image))
        out.append((name, component, dict(service.get("environment") or {})))
    return out


def test_compose_sets_only_variables_the_services_read(compose: dict[str, Any]) -> None:
    environments = compose_environments(compose)
    assert {name for name, _, _ in environments} >= {
        "auth", "auth-worker", "sync", "sync-worker", "webhook", "webhook-worker", "portal",
        "portal-worker", "topics", "indexes"}
    drift = {name: env_drift.unread(component, env) for name, component, env in environments}
    assert {name: names for name, names in drift.items() if names} == {}


def test_a_variable_no_service_reads_is_reported() -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "MONGODB_URI": "mongodb://m/",
           "SYNC_AUTH_URL": "http://auth:8080", "SYNC_AUTH_ULR": "http://typo:8080",
           "PORT": "8080"}
    assert env_drift.unread("sync-svc", env) == ["SYNC_AUTH_ULR"]
    assert env_drift.unread("portal-svc", env) == ["SYNC_AUTH_ULR", "SYNC_AUTH_URL"]


def test_a_required_setting_missing_from_a_manifest_is_reported(
        rendered: dict[str, Docs]) -> None:
    _, component, env = next(e for e in k8s_environments(rendered["prod"])
                             if e[0] == "Deployment/sync-svc-worker")
    env.pop("SERVICE_SECRET_SYNC")
    assert env_drift.load_problems(component, env) == [
        "SERVICE_SECRET_SYNC: required but not set"]


def test_every_compose_process_starts_with_its_environment(compose: dict[str, Any]) -> None:
    """docker-compose.yml's variables plus what `make dev-env` generates into its env file."""
    problems = {name: env_drift.load_problems(component, {**dev_secrets(), **env})
                for name, component, env in compose_environments(compose)}
    assert {name: found for name, found in problems.items() if found} == {}
