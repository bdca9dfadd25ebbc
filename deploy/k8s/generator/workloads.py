"""Per service: ServiceAccount, web and worker Deployments, Services, PDBs and HPAs."""
from __future__ import annotations

from typing import Any

from .model import (
    INTERNAL_PORT,
    KAFKA_CLUSTER,
    METRICS_PORT,
    PART_OF,
    UID,
    WEB_PORT,
    Service,
    max_consumers,
)

Obj = dict[str, Any]
SIGNING_KEYS_DIR = "/var/run/secrets/clientsynq/signing-keys"
KAFKA_CA_DIR = "/var/run/secrets/kafka-ca"  # KAFKA_SSL_CAFILE points into it
# The cluster CA Strimzi publishes for clients to verify the brokers' TLS certificates.
KAFKA_CA_VOLUME = {"name": "kafka-ca", "secret": {
    "secretName": f"{KAFKA_CLUSTER}-cluster-ca-cert",
    "items": [{"key": "ca.crt", "path": "ca.crt"}]}}


def labels(svc: Service, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": svc.distribution,
            "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": PART_OF}


def meta(name: str, svc: Service, component: str) -> Obj:
    return {"name": name, "labels": labels(svc, component)}


def service_account(svc: Service) -> Obj:
    """No API token: no ClientSynq process talks to the Kubernetes API."""
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": meta(svc.distribution, svc, "identity"),
            "automountServiceAccountToken": False}


def kafka_user_env(user: str) -> list[Obj]:
    """SCRAM credentials of the service's KafkaUser (Strimzi writes the Secret `<user>`)."""
    return [{"name": "KAFKA_SASL_USERNAME", "value": user},
            {"name": "KAFKA_SASL_PASSWORD", "valueFrom": {"secretKeyRef": {
                "name": user, "key": "password"}}}]


def _env(svc: Service) -> list[Obj]:
    env: list[Obj] = [{"name": "MONGODB_URI", "valueFrom": {"secretKeyRef": {
        "name": f"mongodb-{svc.distribution}", "key": "connectionString.standard"}}},
        *kafka_user_env(svc.distribution)]
    env += [{"name": key, "valueFrom": {"secretKeyRef": {
        "name": f"{svc.distribution}-secrets", "key": key}}} for key in svc.secrets]
    env += [{"name": key, "valueFrom": {"secretKeyRef": {
        "name": f"{svc.distribution}-secrets", "key": key, "optional": True}}}
        for key in svc.rotation_secrets]
    return env


def _probe(path: str, port: str, period: int, failures: int) -> Obj:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period,
            "timeoutSeconds": 3, "failureThreshold": failures}


def _container(svc: Service, name: str, resources: Obj) -> Obj:
    return {
        "name": name, "image": svc.image, "imagePullPolicy": "IfNotPresent",
        "envFrom": [{"configMapRef": {"name": "clientsynq-platform"}},
                    {"configMapRef": {"name": f"{svc.distribution}-config"}}],
        "env": _env(svc), "resources": resources,
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}},
        # The only writable path (an in-memory emptyDir): the root filesystem is read-only.
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
                         {"name": "kafka-ca", "mountPath": KAFKA_CA_DIR, "readOnly": True}],
    }


def _pod(svc: Service, component: str, container: Obj, *others: Obj) -> Obj:
    volumes: list[Obj] = [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                          KAFKA_CA_VOLUME]
    if svc.name == "auth":
        for each in (container, *others):
            each["volumeMounts"].append(
                {"name": "signing-keys", "mountPath": SIGNING_KEYS_DIR, "readOnly": True})
        volumes.append({"name": "signing-keys", "secret": {
            "secretName": "auth-signing-keys", "defaultMode": 0o440}})
    return {
        "metadata": {"labels": labels(svc, component)},
        "spec": {
            "serviceAccountName": svc.distribution, "automountServiceAccountToken": False,
            "enableServiceLinks": False, "terminationGracePeriodSeconds": 30,
            "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID,
                                "fsGroup": UID, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container, *others], "volumes": volumes,
        },
    }


def _deployment(svc: Service, component: str, replicas: int, container: Obj,
                *others: Obj) -> Obj:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(f"{svc.distribution}-{component}", svc, component),
        "spec": {
            "replicas": replicas, "revisionHistoryLimit": 5,
            "selector": {"matchLabels": labels(svc, component)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": _pod(svc, component, container, *others),
        },
    }


def web(svc: Service) -> Obj:
    container = _listener(svc, "web", "http", WEB_PORT)
    if svc.internal_app is None:
        return _deployment(svc, "web", 2, container)
    # The internal listener: the same image and settings, another app on its own port.
    internal = _listener(svc, "internal", "internal", INTERNAL_PORT)
    internal["env"] += [{"name": "PORT", "value": str(INTERNAL_PORT)},
                        {"name": "APP_MODULE", "value": svc.internal_app}]
    return _deployment(svc, "web", 2, container, internal)


def _listener(svc: Service, name: str, port_name: str, port: int) -> Obj:
    container = _container(svc, name, {"requests": {"cpu": "100m", "memory": "256Mi"},
                                       "limits": {"cpu": "1", "memory": "512Mi"}})
    container["ports"] = [{"name": port_name, "containerPort": port}]
    container["startupProbe"] = _probe("/healthz", port_name, 2, 30)
    container["livenessProbe"] = _probe("/healthz", port_name, 10, 3)
    container["readinessProbe"] = _probe("/readyz", port_name, 5, 3)
    # Endpoints are removed before gunicorn stops: no request lands on a closing socket.
    container["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    return container


def worker(svc: Service) -> Obj:
    container = _container(svc, "worker", {"requests": {"cpu": "250m", "memory": "256Mi"},
                                           "limits": {"cpu": "1", "memory": "768Mi"}})
    container["command"] = ["python", "-m", svc.worker.module]
    container["ports"] = [{"name": "metrics", "containerPort": METRICS_PORT}]
    container["startupProbe"] = _probe("/metrics", "metrics", 2, 30)
    container["livenessProbe"] = _probe("/metrics", "metrics", 15, 3)
    container["readinessProbe"] = _probe("/metrics", "metrics", 10, 3)
    return _deployment(svc, "worker", 1, container)


def services(svc: Service) -> list[Obj]:
    return [*_web_services(svc),
            # Only for the ServiceMonitor: nobody calls a worker.
            {"apiVersion": "v1", "kind": "Service",
             "metadata": meta(f"{svc.distribution}-worker", svc, "worker"),
             "spec": {"clusterIP": "None", "selector": labels(svc, "worker"),
                      "ports": [{"name": "metrics", "port": METRICS_PORT,
                                 "targetPort": "metrics"}]}}]


def _web_services(svc: Service) -> list[Obj]:
    """The public listener's Service (the Ingress routes to it) and, where the service has
    one, the internal listener's (`<name>-internal`, for our services only). Both ports are
    named `http`: the ServiceMonitor scrapes each listener's /metrics by that name."""
    out = [{"apiVersion": "v1", "kind": "Service",
             "metadata": meta(svc.distribution, svc, "web"),
             "spec": {"selector": labels(svc, "web"),
                      "ports": [{"name": "http", "port": WEB_PORT, "targetPort": "http"}]}}]
    if svc.internal_app is not None:
        out.append({"apiVersion": "v1", "kind": "Service",
                    "metadata": meta(f"{svc.distribution}-internal", svc, "internal"),
                    "spec": {"selector": labels(svc, "web"), "ports": [{
                        "name": "http", "port": INTERNAL_PORT, "targetPort": "internal"}]}})
    return out


def pdbs(svc: Service) -> list[Obj]:
    """maxUnavailable, not minAvailable: a one-replica dev Deployment still drains."""
    return [{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
             "metadata": meta(f"{svc.distribution}-{component}", svc, component),
             "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(svc, component)}}}
            for component in ("web", "worker")]


def hpas(svc: Service) -> list[Obj]:
    out = [_hpa(svc, "web", 2, 10, [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}])]
    if svc.worker.consumes:
        # Consumer lag of the service's group, from the Prometheus adapter's external
        # metrics API (kafka-exporter's kafka_consumergroup_lag, summed per group).
        out.append(_hpa(svc, "worker", 1, max_consumers(svc), [{"type": "External", "external": {
            "metric": {"name": "kafka_consumergroup_lag",
                       "selector": {"matchLabels": {"consumergroup": svc.group}}},
            "target": {"type": "AverageValue", "averageValue": "1000"}}}]))
    return out


def _hpa(svc: Service, component: str, low: int, high: int, metrics: list[Obj]) -> Obj:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": meta(f"{svc.distribution}-{component}", svc, component),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": f"{svc.distribution}-{component}"},
                     "minReplicas": low, "maxReplicas": max(low, high), "metrics": metrics,
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}


def config_map(svc: Service) -> Obj:
    data = {**svc.extra_env, svc.worker.metrics_env: str(METRICS_PORT)}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta(f"{svc.distribution}-config", svc, "config"), "data": data}


def index_job(svc: Service) -> Obj:
    """Builds the service's indexes before its new version rolls out (its own user and DB)."""
    container = _container(svc, "indexes", {"requests": {"cpu": "100m", "memory": "128Mi"},
                                            "limits": {"cpu": "500m", "memory": "256Mi"}})
    container["command"] = ["python", "/app/ensure_indexes.py", svc.name]
    pod = _pod(svc, "bootstrap", container)
    pod["spec"]["restartPolicy"] = "OnFailure"
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": meta(f"{svc.distribution}-indexes", svc, "bootstrap"),
            "spec": {"backoffLimit": 10, "ttlSecondsAfterFinished": 86400, "template": pod}}
