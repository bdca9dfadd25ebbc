"""A small evaluator of Kubernetes NetworkPolicies: may pod A open a TCP connection to pod B
on a port? Enough of the semantics for our manifests (pod and namespace selectors with
matchLabels / matchExpressions In, ports; ipBlock peers never match a pod)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)


def _selects(selector: Doc | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _peer_matches(peer: Doc, pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        namespace_labels = {"kubernetes.io/metadata.name": pod.namespace}
        if not _selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return _selects(peer.get("podSelector"), pod.labels)


def _rule_allows(rule: Doc, peers_key: str, pod: Pod, port: int, namespace: str) -> bool:
    peers = rule.get(peers_key)
    if peers is not None and not any(_peer_matches(p, pod, namespace) for p in peers):
        return False
    ports = rule.get("ports")
    return ports is None or any(p.get("port") in (None, port) for p in ports)


def _side_allows(policies: list[Doc], subject: Pod, kind: str, other: Pod, port: int) -> bool:
    rules_key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    relevant = [p for p in policies if p["metadata"].get("namespace") == subject.namespace
                and kind in p["spec"].get("policyTypes", [])
                and _selects(p["spec"].get("podSelector") or {}, subject.labels)]
    if not relevant:
        return True  # no policy isolates this pod in this direction
    return any(_rule_allows(rule, peers_key, other, port, subject.namespace)
               for p in relevant for rule in p["spec"].get(rules_key, []))


def allowed(docs: list[Doc], source: Pod, target: Pod, port: int) -> bool:
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    return (_side_allows(policies, source, "Egress", target, port)
            and _side_allows(policies, target, "Ingress", source, port))
