"""Who may reach whom, evaluated on the rendered NetworkPolicies of prod."""
from __future__ import annotations

from typing import Any

import pytest
from netpol import Pod, allowed

NS = "clientsynq"
Docs = list[dict[str, Any]]


def app(name: str, component: str) -> Pod:
    return Pod(NS, {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component,
                    "app.kubernetes.io/part-of": "clientsynq"})


INGRESS = Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})
STRANGER = Pod("default", {"app": "something-else"})
KAFKA = Pod(NS, {"strimzi.io/cluster": "clientsynq", "strimzi.io/kind": "Kafka"})
MONGO = Pod(NS, {"app": "clientsynq-mongodb-svc"})
AUTH_WEB, SYNC_WEB = app("auth-svc", "web"), app("sync-svc", "web")

REACHABLE = [
    (INGRESS, app("portal-svc", "web"), 8080),
    (INGRESS, AUTH_WEB, 8080),
    (INGRESS, app("webhook-svc", "web"), 8080),
    (app("sync-svc", "worker"), AUTH_WEB, 8081),  # auth-svc's internal listener
    (app("webhook-svc", "worker"), AUTH_WEB, 8081),
    (app("portal-svc", "web"), AUTH_WEB, 8081),
    (PROMETHEUS, AUTH_WEB, 8081),
    (app("portal-svc", "web"), SYNC_WEB, 8080),
    (app("sync-svc", "worker"), KAFKA, 9093),
    (app("portal-svc", "worker"), MONGO, 27017),
    (PROMETHEUS, app("sync-svc", "worker"), 9102),
]
UNREACHABLE = [
    (INGRESS, SYNC_WEB, 8080),  # sync-svc has no public route
    (INGRESS, app("portal-svc", "worker"), 9102),
    (STRANGER, AUTH_WEB, 8080),
    (STRANGER, AUTH_WEB, 8081),
    (INGRESS, AUTH_WEB, 8081),  # the internal listener is never the ingress's
    (app("sync-svc", "worker"), AUTH_WEB, 8080),  # services call the internal listener
    (app("portal-svc", "web"), AUTH_WEB, 8080),
    (STRANGER, KAFKA, 9093),
    (app("auth-svc", "worker"), SYNC_WEB, 8080),  # auth calls nobody's internal API
    (app("webhook-svc", "worker"), SYNC_WEB, 8080),
    (app("sync-svc", "worker"), app("portal-svc", "web"), 8080),
    (app("sync-svc", "worker"), KAFKA, 9092),  # no plaintext listener
    (app("sync-svc", "worker"), MONGO, 9093),
    (app("portal-svc", "web"), app("sync-svc", "worker"), 9102),
]


@pytest.mark.parametrize("source, target, port", REACHABLE)
def test_the_paths_the_architecture_draws_are_open(
        rendered: dict[str, Docs], source: Pod, target: Pod, port: int) -> None:
    assert allowed(rendered["prod"], source, target, port)


@pytest.mark.parametrize("source, target, port", UNREACHABLE)
def test_everything_else_is_closed(
        rendered: dict[str, Docs], source: Pod, target: Pod, port: int) -> None:
    assert not allowed(rendered["prod"], source, target, port)


def test_without_the_default_deny_a_stranger_gets_in() -> None:
    """The evaluator itself can say yes: with no policies, every path is open."""
    assert allowed([], STRANGER, AUTH_WEB, 8080)
