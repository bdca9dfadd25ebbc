"""NetworkPolicies: deny everything, then allow exactly the paths the architecture draws."""
from __future__ import annotations

from typing import Any

from .model import (
    INTERNAL_PORT,
    KAFKA_CLUSTER,
    METRICS_PORT,
    PART_OF,
    SERVICES,
    WEB_PORT,
    listener_port,
)

Obj = dict[str, Any]
PUBLIC = ("auth-svc", "portal-svc", "webhook-svc")  # routed by the Ingress
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
KAFKA_PORT = 9093  # the SCRAM-over-TLS listener, the only one
STRIMZI_NAMESPACE = "strimzi"
APPS = {"app.kubernetes.io/part-of": PART_OF}
KAFKA = {"strimzi.io/cluster": KAFKA_CLUSTER}
MONGO = {"app": "clientsynq-mongodb-svc"}
MONGO_OPERATOR = {"name": "mongodb-kubernetes-operator"}
PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"]


def _policy(name: str, selector: dict[str, str], ingress: list[Obj] | None = None,
            egress: list[Obj] | None = None) -> Obj:
    spec: Obj = {"podSelector": {"matchLabels": selector} if selector else {},
                 "policyTypes": []}
    if ingress is not None:
        spec["policyTypes"].append("Ingress")
        spec["ingress"] = ingress
    if egress is not None:
        spec["policyTypes"].append("Egress")
        spec["egress"] = egress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "labels": APPS}, "spec": spec}


def _ports(*numbers: int) -> list[Obj]:
    return [{"protocol": "TCP", "port": number} for number in numbers]


def _namespace(name: str, pods: dict[str, str] | None = None) -> Obj:
    peer: Obj = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}
    if pods:
        peer["podSelector"] = {"matchLabels": pods}
    return peer


def _pods(labels: dict[str, str]) -> Obj:
    return {"podSelector": {"matchLabels": labels}}


def _web(svc_name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": svc_name, "app.kubernetes.io/component": "web"}


def _internet(*ports: int) -> Obj:
    """Intuit and Enterprise endpoints: public addresses only (no cloud metadata, no VPC)."""
    return {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE}}], "ports": _ports(*ports)}


def baseline() -> list[Obj]:
    dns = {"to": [_namespace("kube-system", {"k8s-app": "kube-dns"})],
           "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    return [
        _policy("default-deny", {}, ingress=[], egress=[]),
        _policy("allow-dns", {}, egress=[dns]),
        _policy("apps-to-kafka-and-mongodb", APPS, egress=[
            {"to": [_pods(KAFKA)], "ports": _ports(KAFKA_PORT)},
            {"to": [_pods(MONGO)], "ports": _ports(27017)}]),
        _policy("prometheus-scrapes-apps", APPS, ingress=[
            {"from": [_namespace(MONITORING_NAMESPACE)],
             "ports": _ports(WEB_PORT, INTERNAL_PORT, METRICS_PORT)}]),
    ] + [_policy(f"ingress-to-{name}", _web(name), ingress=[
        {"from": [_namespace(INGRESS_NAMESPACE, {"app.kubernetes.io/name": "ingress-nginx"})],
         "ports": _ports(WEB_PORT)}]) for name in PUBLIC]


def internal_apis() -> list[Obj]:
    """A service's /internal/v1 answers only the services that call it (each also holds a
    service credential), on its internal listener's port where it has one (auth-svc: the
    ingress controller reaches only the public port, where /internal/v1 is 404 anyway);
    the Ingress never routes /internal/."""
    out = []
    for target in sorted({name for svc in SERVICES for name in svc.calls}):
        callers = sorted(svc.distribution for svc in SERVICES if target in svc.calls)
        out.append(_policy(f"{target}-internal-from-callers", _web(target), ingress=[{
            "from": [{"podSelector": {"matchExpressions": [{
                "key": "app.kubernetes.io/name", "operator": "In", "values": callers}]}}],
            "ports": _ports(listener_port(target))}]))
    for svc in SERVICES:
        if svc.calls:
            out.append(_policy(f"{svc.distribution}-to-internal-apis",
                               {"app.kubernetes.io/name": svc.distribution},
                               egress=[{"to": [_pods(_web(t))], "ports": _ports(listener_port(t))}
                                       for t in svc.calls]))
    return out


def outbound() -> list[Obj]:
    """QuickBooks (auth: OAuth, sync: API), SMTP (auth), Enterprise endpoints (webhooks)."""
    return [
        _policy("auth-svc-to-intuit-and-smtp", {"app.kubernetes.io/name": "auth-svc"},
                egress=[_internet(443, 587)]),
        _policy("sync-svc-to-intuit", {"app.kubernetes.io/name": "sync-svc"},
                egress=[_internet(443)]),
        _policy("webhook-svc-deliveries", {"app.kubernetes.io/name": "webhook-svc",
                                           "app.kubernetes.io/component": "worker"},
                egress=[_internet(443, 80)]),
    ]


def data_plane() -> list[Obj]:
    """Kafka and MongoDB pods talk among themselves, to their operators and to the API."""
    api = {"ports": _ports(443, 6443)}  # the Kubernetes API (entity and MongoDB operators)
    return [
        _policy("kafka-cluster", KAFKA, ingress=[
            {"from": [_pods(KAFKA)]},
            {"from": [_pods(APPS)], "ports": _ports(KAFKA_PORT)},
            {"from": [_namespace(STRIMZI_NAMESPACE)]},
            {"from": [_namespace(MONITORING_NAMESPACE)], "ports": _ports(9404, 9308)},
        ], egress=[{"to": [_pods(KAFKA)]}, api]),
        _policy("mongodb", MONGO, ingress=[
            {"from": [_pods(APPS), _pods(MONGO), _pods(MONGO_OPERATOR)], "ports": _ports(27017)},
        ], egress=[{"to": [_pods(MONGO)], "ports": _ports(27017)}]),
        _policy("mongodb-operator", MONGO_OPERATOR, egress=[
            {"to": [_pods(MONGO)], "ports": _ports(27017)}, api]),
    ]


def policies() -> list[Obj]:
    return [*baseline(), *internal_apis(), *outbound(), *data_plane()]
