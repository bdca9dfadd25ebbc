"""Our policy checks hold on both overlays, and each one catches a manifest broken its way."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import k8s_policy
import pytest
from k8s_policy import OVERLAYS

Docs = list[dict[str, Any]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_policy_holds(rendered: dict[str, Docs], overlay: str) -> None:
    checks = {**k8s_policy.EVERY_OVERLAY, **(k8s_policy.PROD_ONLY if overlay == "prod" else {})}
    assert {name: check(rendered[overlay]) for name, check in checks.items()
            if check(rendered[overlay])} == {}


def _first(docs: Docs, kind: str, component: str | None = None) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and (
        component is None
        or d["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component))


def _container(docs: Docs) -> dict[str, Any]:
    container: dict[str, Any] = _pod(docs, "web")["containers"][0]
    return container


def _pod(docs: Docs, component: str = "worker") -> dict[str, Any]:
    pod: dict[str, Any] = _first(docs, "Deployment", component)["spec"]["template"]["spec"]
    return pod


def _drop_pdbs(docs: Docs) -> None:
    docs[:] = [d for d in docs if d["kind"] != "PodDisruptionBudget"]


def _open_default_deny(docs: Docs) -> None:
    policy = next(d for d in docs if d["metadata"]["name"] == "default-deny")
    policy["spec"]["ingress"] = [{}]


def _external_secret(docs: Docs, target: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == "ExternalSecret"
                and d["spec"]["target"]["name"] == target)


def _sync_holds_portals_auth_secret(docs: Docs) -> None:
    """How it was before issue 12's pair secrets: sync-svc held SERVICE_SECRET_PORTAL."""
    sync_web = next(d for d in docs if d["kind"] == "Deployment"
                    and d["metadata"]["name"] == "sync-svc-web")
    sync_web["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "SERVICE_SECRET_PORTAL", "valueFrom": {"secretKeyRef": {
            "name": "sync-svc-secrets", "key": "SERVICE_SECRET_PORTAL"}}})


BREAKAGES: dict[str, Callable[[Docs], None]] = {
    "probes": lambda docs: _container(docs).pop("readinessProbe"),
    "resources": lambda docs: _container(docs)["resources"]["limits"].pop("memory"),
    "non_root_read_only": lambda docs: _container(docs)["securityContext"].update(
        readOnlyRootFilesystem=False),
    "pinned_images": lambda docs: _container(docs).update(image="ghcr.io/clientsynq/x:latest"),
    "disruption_budgets": _drop_pdbs,
    "default_deny": _open_default_deny,
    "no_api_tokens": lambda docs: _pod(docs).update(automountServiceAccountToken=True),
    "no_inline_secrets": lambda docs: _container(docs)["env"].append(
        {"name": "QBO_CLIENT_SECRET", "value": "hunter2hunter2hunter2"}),
    "references_resolve": lambda docs: _container(docs)["envFrom"].append(
        {"configMapRef": {"name": "nowhere"}}),
    "service_secrets_per_pair": lambda docs: _sync_holds_portals_auth_secret(docs),
    "zone_spread": lambda docs: _pod(docs).pop("topologySpreadConstraints"),
    "durable_topics": lambda docs: _first(docs, "KafkaTopic")["spec"].update(replicas=1),
}


@pytest.mark.parametrize("check", sorted(BREAKAGES))
def test_each_check_catches_its_broken_manifest(rendered: dict[str, Docs], check: str) -> None:
    rule = {**k8s_policy.EVERY_OVERLAY, **k8s_policy.PROD_ONLY}[check]
    docs = copy.deepcopy(rendered["prod"])
    assert rule(docs) == []
    BREAKAGES[check](docs)
    assert rule(docs) != []


def test_every_check_has_a_broken_manifest() -> None:
    assert set(BREAKAGES) == {*k8s_policy.EVERY_OVERLAY, *k8s_policy.PROD_ONLY}


@pytest.mark.parametrize("breakage", ["portal's auth secret as the pair's", "kept with auth's"])
def test_a_pair_secret_cannot_be_fed_another_pairs_value_or_reach_a_third_service(
        rendered: dict[str, Docs], breakage: str) -> None:
    """sync-svc's SERVICE_SECRET_PORTAL_SYNC copied from portal's secret for auth-svc, or kept
    in the store entry auth-svc's Secret extracts whole: either puts one pair's secret in a
    third service's hands, the variable names all being right."""
    docs = copy.deepcopy(rendered["prod"])
    item = next(i for i in _external_secret(docs, "sync-svc-secrets")["spec"]["data"]
                if i["secretKey"] == "SERVICE_SECRET_PORTAL_SYNC")
    if breakage.startswith("portal's"):
        item["remoteRef"] = {"key": "clientsynq/auth-svc", "property": "SERVICE_SECRET_PORTAL"}
    else:
        item["remoteRef"]["key"] = "clientsynq/auth-svc"
    assert k8s_policy.service_secrets_per_pair(docs) != []


def test_untagged_and_digest_images() -> None:
    def images(*names: str) -> Docs:
        return [{"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {
            "containers": [{"name": f"c{i}", "image": n} for i, n in enumerate(names)]}}}}]
    assert k8s_policy.pinned_images(images("a/b:1.2", "a/b@sha256:" + "0" * 64)) == []
    assert len(k8s_policy.pinned_images(images("a/b", "registry:5000/a/b"))) == 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_callee_can_take_the_previous_secret_during_a_rotation(
        rendered: dict[str, Docs], overlay: str) -> None:
    """docs/operations.md's rotation adds ``<SECRET>_PREVIOUS`` to the callee's store entry
    and rolls it: each callee pod must read that key, optionally (absent the rest of the
    time), or the runbook would need a manifest edit mid-rotation."""
    missing = []
    for doc in rendered[overlay]:
        if doc["kind"] != "Deployment":
            continue
        service = doc["metadata"]["labels"]["app.kubernetes.io/name"]
        for container in doc["spec"]["template"]["spec"]["containers"]:
            env = {e["name"]: e.get("valueFrom", {}).get("secretKeyRef", {})
                   for e in container.get("env", [])}
            accepted = [name for name in env if name.startswith("SERVICE_SECRET_")
                        and not name.endswith("_PREVIOUS")
                        and _callee(name) == service]
            if "QBO_WEBHOOK_VERIFIER_TOKEN" in env:
                accepted.append("WEBHOOK_INTUIT_VERIFIER_TOKEN")
            missing += [f"{doc['metadata']['name']}: {name}" for name in accepted
                        if env.get(_previous(name), {}).get("optional") is not True]
    assert missing == []


def _callee(variable: str) -> str:
    """``SERVICE_SECRET_<CALLER>[_<CALLEE>]``: the callee is auth-svc when unnamed."""
    _, _, callee = variable.removeprefix("SERVICE_SECRET_").lower().partition("_")
    return f"{callee or 'auth'}-svc"


def _previous(variable: str) -> str:
    if variable == "WEBHOOK_INTUIT_VERIFIER_TOKEN":
        return "WEBHOOK_INTUIT_PREVIOUS_VERIFIER_TOKEN"
    return f"{variable}_PREVIOUS"
