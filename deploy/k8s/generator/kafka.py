"""KafkaTopic for every topic of the event registry (and its dead letters); KafkaUser per
service with ACLs limited to the topics it writes and reads."""
from __future__ import annotations

from typing import Any

from clientsynq.common.events import topics as t
from clientsynq.common.kafka.topics import DLQ_PARTITIONS

from .model import KAFKA_CLUSTER, PART_OF, SERVICES, Service

Obj = dict[str, Any]
DAY_MS = 86_400_000
# Snapshots, connection changes and command outcomes are kept for ever: read models are
# rebuilt by replaying them (docs/operations.md). Requests and progress are transient.
RETENTION_MS = {t.SYNC_PROGRESS: DAY_MS, t.SYNC_REQUESTED: 7 * DAY_MS,
                t.QBO_ENTITY_CHANGED: 7 * DAY_MS, t.INVOICE_CREATE_REQUESTED: 7 * DAY_MS,
                t.PAYMENT_RECORD_REQUESTED: 7 * DAY_MS}
DLQ_RETENTION_MS = 30 * DAY_MS
REPLICAS = 3
MIN_ISR = 2


def _labels() -> dict[str, str]:
    return {"strimzi.io/cluster": KAFKA_CLUSTER, "app.kubernetes.io/part-of": PART_OF}


def _topic(name: str, partitions: int, retention_ms: int) -> Obj:
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
            "metadata": {"name": name, "labels": _labels()},
            "spec": {"topicName": name, "partitions": partitions, "replicas": REPLICAS,
                     "config": {"min.insync.replicas": MIN_ISR, "retention.ms": retention_ms,
                                "cleanup.policy": "delete",
                                "max.message.bytes": 1_048_588}}}


def topics() -> list[Obj]:
    out = [_topic(name, spec.partitions, RETENTION_MS.get(name, -1))
           for name, spec in t.TOPICS.items()]
    out += [_topic(t.dlq_topic(name), DLQ_PARTITIONS, DLQ_RETENTION_MS) for name in t.TOPICS]
    return out


def _acl(kind: str, name: str, *operations: str) -> Obj:
    resource: Obj = {"type": kind}
    if kind != "cluster":
        resource.update(name=name, patternType="literal")
    return {"resource": resource, "operations": list(operations)}


def _acls(svc: Service) -> list[Obj]:
    consumed = svc.worker.consumes
    writes = sorted({*svc.produces, *(t.dlq_topic(name) for name in consumed)})
    acls = [_acl("topic", name, "Write", "Describe") for name in writes]
    acls += [_acl("topic", name, "Read", "Describe") for name in sorted(consumed)]
    if consumed:
        acls.append(_acl("group", svc.group, "Read"))
    acls.append(_acl("cluster", "", "IdempotentWrite"))  # the idempotent producer
    return acls


def user(svc: Service) -> Obj:
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser",
            "metadata": {"name": svc.distribution, "labels": _labels()},
            "spec": {"authentication": {"type": "scram-sha-512"},
                     "authorization": {"type": "simple", "acls": _acls(svc)}}}


def ops_user() -> Obj:
    """The topic-check Job: it only describes topics."""
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser",
            "metadata": {"name": "clientsynq-ops", "labels": _labels()},
            "spec": {"authentication": {"type": "scram-sha-512"},
                     "authorization": {"type": "simple", "acls": [
                         {"resource": {"type": "topic", "name": "*", "patternType": "literal"},
                          "operations": ["Describe", "DescribeConfigs"]}]}}}


def users() -> list[Obj]:
    return [user(svc) for svc in SERVICES] + [ops_user()]
