"""Our rules for docker-compose.yml, checked on compose-go's normalised model of it
(anchors, merges and defaults resolved: what `docker compose up` would run)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Model = dict[str, Any]
GATEWAY = "gateway"
ONE_SHOT = ("topics", "indexes")  # run to completion before the services start


def _services(model: Model) -> dict[str, Any]:
    return model["services"]  # type: ignore[no-any-return]


def bridge_network(model: Model) -> list[str]:
    """No host networking (Docker Desktop lacks it); a shared namespace must be a service's."""
    out = []
    for name, svc in _services(model).items():
        mode = svc.get("network_mode")
        if mode is not None and not mode.startswith("service:"):
            out.append(f"{name}: network_mode {mode}")
        for network in svc.get("networks") or {}:
            driver = model.get("networks", {}).get(network, {}).get("driver")
            if driver != "bridge":
                out.append(f"{name}: network {network} is not a bridge network ({driver})")
        if mode is None and not svc.get("networks"):
            out.append(f"{name}: on the default network, not the project's bridge")
    return out


def one_published_port(model: Model) -> list[str]:
    out = [f"{name}: publishes {svc['ports']}" for name, svc in _services(model).items()
           if svc.get("ports") and name != GATEWAY]
    ports = _services(model).get(GATEWAY, {}).get("ports") or []
    if len(ports) != 1:
        out.append(f"{GATEWAY}: publishes {len(ports)} ports, not one")
    return out


def health_ordered(model: Model) -> list[str]:
    """Start order by health or completion, never by 'started'; long runners say healthy."""
    services = _services(model)
    out = []
    for name, svc in services.items():
        for dep, how in (svc.get("depends_on") or {}).items():
            condition = how.get("condition")
            if condition == "service_healthy" and not services[dep].get("healthcheck"):
                out.append(f"{name}: waits for {dep} to be healthy, which has no healthcheck")
            elif condition not in ("service_healthy", "service_completed_successfully"):
                out.append(f"{name}: waits for {dep} only to start ({condition})")
        check = svc.get("healthcheck") or {}
        if name not in ONE_SHOT and (not check.get("test") or check.get("disable")):
            out.append(f"{name}: long-running without a healthcheck")
    return out


def named_volumes(model: Model) -> list[str]:
    """Kafka's and MongoDB's data survive `docker compose down` (not `down -v`)."""
    out = []
    for name, path in (("kafka", "/var/lib/kafka/data"), ("mongo", "/data/db")):
        volumes = _services(model).get(name, {}).get("volumes") or []
        if not any(v.get("type") == "volume" and v.get("target") == path for v in volumes):
            out.append(f"{name}: {path} is not a named volume")
    return out


def pinned_images(model: Model) -> list[str]:
    out = []
    for name, svc in _services(model).items():
        image = svc.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition("@")[0].partition(":")[2]
        if "build" not in svc and (not tag or tag == "latest"):
            out.append(f"{name}: image {image!r} not pinned to a version")
    return out


def images_built_here(model: Model) -> list[str]:
    """Our images come from this repository, never a registry: each is built by a service
    here, and a service that only reuses it never tries to pull it."""
    services = _services(model)
    built = {svc.get("image") for svc in services.values() if "build" in svc}
    out = []
    for name, svc in services.items():
        image = svc.get("image", "")
        if not image.startswith("clientsynq/") or "build" in svc:
            continue
        if image not in built:
            out.append(f"{name}: {image} is built by no service")
        if svc.get("pull_policy") != "never":
            out.append(f"{name}: would try to pull {image} from a registry")
    return out


def read_only_apps(model: Model) -> list[str]:
    """Our images run read-only, as in Kubernetes (the third-party servers write data)."""
    return [f"{name}: writable root filesystem" for name, svc in _services(model).items()
            if svc.get("image", "").startswith("clientsynq/") and not svc.get("read_only")]


def infrastructure(model: Model) -> list[str]:
    """Kafka in KRaft mode from the official image; MongoDB as a replica set."""
    services = _services(model)
    out = []
    kafka = services.get("kafka", {})
    if not kafka.get("image", "").startswith("apache/kafka:"):
        out.append("kafka: not the official apache/kafka image")
    if "controller" not in (kafka.get("environment") or {}).get("KAFKA_PROCESS_ROLES", ""):
        out.append("kafka: not in KRaft mode (no controller role)")
    if "--replSet" not in (services.get("mongo", {}).get("command") or []):
        out.append("mongo: not a replica set")
    return out


CHECKS: dict[str, Callable[[Model], list[str]]] = {
    "bridge_network": bridge_network, "one_published_port": one_published_port,
    "health_ordered": health_ordered, "named_volumes": named_volumes,
    "pinned_images": pinned_images, "images_built_here": images_built_here,
    "read_only_apps": read_only_apps,
    "infrastructure": infrastructure,
}
