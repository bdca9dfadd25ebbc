"""Our own rules for rendered manifests, beyond what the schemas say.

Each check takes every resource of one rendered overlay and returns the problems it finds
(an empty list when the rule holds). tests/deploy/test_k8s_policy.py holds each of them to
a deliberately broken manifest, so a check that stopped looking would fail the build.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

Doc = dict[str, Any]
WORKLOADS = ("Deployment", "Job", "StatefulSet", "DaemonSet")
OVERLAYS = ("dev", "prod")  # deploy/k8s/overlays
PINNED = re.compile(r"^[^@:]+(:[^:@]+)?(@sha256:[0-9a-f]{64})?$")


def _name(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def _pods(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc["kind"] in WORKLOADS:
            yield doc, doc["spec"]["template"]["spec"]


def _containers(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc, pod in _pods(docs):
        for container in pod.get("initContainers", []) + pod["containers"]:
            yield doc, container


def probes(docs: list[Doc]) -> list[str]:
    """Long-running containers say when they are alive and ready (Jobs run to completion)."""
    return [f"{_name(doc)}/{c['name']}: no {probe}"
            for doc, c in _containers(docs) if doc["kind"] != "Job"
            for probe in ("livenessProbe", "readinessProbe") if probe not in c]


def resources(docs: list[Doc]) -> list[str]:
    out = []
    for doc, c in _containers(docs):
        for bound in ("requests", "limits"):
            for what in ("cpu", "memory"):
                if what not in c.get("resources", {}).get(bound, {}):
                    out.append(f"{_name(doc)}/{c['name']}: no {bound}.{what}")
    return out


def non_root_read_only(docs: list[Doc]) -> list[str]:
    out = []
    for doc, pod in _pods(docs):
        if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
            out.append(f"{_name(doc)}: pod may run as root")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                out.append(f"{_name(doc)}/{c['name']}: root filesystem writable")
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{_name(doc)}/{c['name']}: privilege escalation allowed")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                out.append(f"{_name(doc)}/{c['name']}: capabilities not dropped")
    return out


def pinned_images(docs: list[Doc]) -> list[str]:
    out = []
    for doc, c in _containers(docs):
        image = c.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition("@")[0].partition(":")[2]
        if not PINNED.match(image) or (not tag and "@sha256:" not in image) or tag == "latest":
            out.append(f"{_name(doc)}/{c['name']}: image {image!r} is not pinned")
    return out


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def disruption_budgets(docs: list[Doc]) -> list[str]:
    budgets = [d["spec"]["selector"].get("matchLabels", {}) for d in docs
               if d["kind"] == "PodDisruptionBudget"]
    return [f"{_name(doc)}: no PodDisruptionBudget" for doc in docs
            if doc["kind"] == "Deployment"
            and not any(_selects(b, doc["spec"]["template"]["metadata"]["labels"])
                        for b in budgets)]


def default_deny(docs: list[Doc]) -> list[str]:
    """Every namespace starts closed both ways; other policies open single paths."""
    closed = {d["metadata"].get("namespace") for d in docs if d["kind"] == "NetworkPolicy"
              and d["spec"].get("podSelector") == {}
              and set(d["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
              and not d["spec"].get("ingress") and not d["spec"].get("egress")}
    return [f"Namespace/{d['metadata']['name']}: no default-deny NetworkPolicy"
            for d in docs if d["kind"] == "Namespace" and d["metadata"]["name"] not in closed]


def no_api_tokens(docs: list[Doc]) -> list[str]:
    out = [f"{_name(d)}: mounts an API token" for d in docs
           if d["kind"] == "ServiceAccount" and d.get("automountServiceAccountToken") is not False]
    out += [f"{_name(doc)}: pod mounts an API token" for doc, pod in _pods(docs)
            if pod.get("automountServiceAccountToken") is not False]
    return out


def no_inline_secrets(docs: list[Doc]) -> list[str]:
    """Secrets come from External Secrets or the operators, never from the repository."""
    out = [f"{_name(d)}: a Secret in the manifests" for d in docs if d["kind"] == "Secret"]
    for doc, c in _containers(docs):
        out += [f"{_name(doc)}/{c['name']}: {e['name']} has a literal value that looks secret"
                for e in c.get("env", []) if "value" in e
                and re.search(r"SECRET|PASSWORD|TOKEN|KEYS?$", e["name"])
                and e["name"] != "HEALTHCHECK_URL"]
    return out


def _provided_secrets(docs: list[Doc]) -> set[str]:
    names = {d["spec"]["target"]["name"] for d in docs if d["kind"] == "ExternalSecret"}
    for d in docs:
        if d["kind"] == "MongoDBCommunity":
            names |= {u["connectionStringSecretName"] for u in d["spec"]["users"]}
        elif d["kind"] == "KafkaUser":  # Strimzi's Secret of the user's credentials
            names.add(d["metadata"]["name"])
        elif d["kind"] == "Kafka":  # the cluster CA certificate Strimzi publishes
            names.add(f"{d['metadata']['name']}-cluster-ca-cert")
    return names


def references_resolve(docs: list[Doc]) -> list[str]:
    """Every ConfigMap and Secret a pod reads exists in the same render."""
    config_maps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    secrets = _provided_secrets(docs)
    out = []
    for doc, pod in _pods(docs):
        for c in pod["containers"]:
            for source in c.get("envFrom", []):
                if source.get("configMapRef", {}).get("name") not in config_maps:
                    out.append(f"{_name(doc)}: missing ConfigMap {source}")
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["name"] not in secrets:
                    out.append(f"{_name(doc)}: {e['name']} reads missing Secret {ref['name']}")
                ref = e.get("valueFrom", {}).get("configMapKeyRef")
                if ref and ref["name"] not in config_maps:
                    out.append(f"{_name(doc)}: {e['name']} reads missing ConfigMap")
        for volume in pod.get("volumes", []):
            if "secret" in volume and volume["secret"]["secretName"] not in secrets:
                out.append(f"{_name(doc)}: volume from missing Secret")
    return out


def _secret_holders(variable: str) -> set[str]:
    """``SERVICE_SECRET_<CALLER>[_<CALLEE>][_PREVIOUS]``: the caller and the callee (auth-svc
    when unnamed), the only two services that may hold that pair's secret."""
    caller, _, callee = variable.removeprefix("SERVICE_SECRET_").removesuffix(
        "_PREVIOUS").lower().partition("_")
    return {f"{caller}-svc", f"{callee or 'auth'}-svc"}


def _service(doc: Doc) -> str:
    return str(doc["metadata"].get("labels", {}).get("app.kubernetes.io/name", ""))


def service_secrets_per_pair(docs: list[Doc]) -> list[str]:
    """One secret per caller→callee pair, held by those two services alone (issue 12,
    finding 10): no callee can use what it holds to call another service as its caller.
    Checked on pods' variables, on each ExternalSecret's keys (a key copied from another
    pair's property would share its value), and on store entries extracted whole."""
    out = [f"{_name(doc)}/{c['name']}: holds {e['name']}"
           for doc, c in _containers(docs) for e in c.get("env", [])
           if e["name"].startswith("SERVICE_SECRET_")
           and _service(doc) not in _secret_holders(e["name"])]
    external = [d for d in docs if d["kind"] == "ExternalSecret"]
    extracted = {source["extract"]["key"]: d["spec"]["target"]["name"].removesuffix("-secrets")
                 for d in external for source in d["spec"].get("dataFrom", [])
                 if "extract" in source}
    for doc in external:
        owner = doc["spec"]["target"]["name"].removesuffix("-secrets")
        for item in doc["spec"].get("data", []):
            key, ref = item["secretKey"], item["remoteRef"]
            if not key.startswith("SERVICE_SECRET_"):
                continue
            holders = _secret_holders(key)
            if owner not in holders or ref.get("property") != key:
                out.append(f"{_name(doc)}: {key} from {ref}")
            if extracted.get(ref["key"], next(iter(holders))) not in holders:
                out.append(f"{_name(doc)}: {key} kept in {ref['key']}, which "
                           f"{extracted[ref['key']]} receives whole")
    return out


def zone_spread(docs: list[Doc]) -> list[str]:
    """prod only: each Deployment's pods spread over zones."""
    return [f"{_name(doc)}: not spread across zones" for doc, pod in _pods(docs)
            if doc["kind"] == "Deployment" and not any(
                t.get("topologyKey") == "topology.kubernetes.io/zone"
                for t in pod.get("topologySpreadConstraints", []))]


def durable_topics(docs: list[Doc]) -> list[str]:
    """prod only: every topic survives a broker loss without refusing writes."""
    return [f"{_name(d)}: replicas {d['spec'].get('replicas')}, min ISR "
            f"{d['spec'].get('config', {}).get('min.insync.replicas')}"
            for d in docs if d["kind"] == "KafkaTopic"
            and (d["spec"].get("replicas", 0) < 3
                 or d["spec"].get("config", {}).get("min.insync.replicas", 0) < 2)]


EVERY_OVERLAY: dict[str, Callable[[list[Doc]], list[str]]] = {
    "probes": probes, "resources": resources, "non_root_read_only": non_root_read_only,
    "pinned_images": pinned_images, "disruption_budgets": disruption_budgets,
    "default_deny": default_deny, "no_api_tokens": no_api_tokens,
    "no_inline_secrets": no_inline_secrets, "references_resolve": references_resolve,
    "service_secrets_per_pair": service_secrets_per_pair,
}
PROD_ONLY: dict[str, Callable[[list[Doc]], list[str]]] = {
    "zone_spread": zone_spread, "durable_topics": durable_topics}
