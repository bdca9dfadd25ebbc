"""The topic registry: one topic per event type, and the schema of its ``data``.

An event's ``type`` equals its topic name, so a consumer can check that a message is on the
topic it claims. Partition counts are part of the contract because the key (tenant id) to
partition mapping changes when they do; the busy snapshot topics get more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clientsynq.common.events.commands import (
    CommandFailedSchema,
    CommandSucceededSchema,
    InvoiceCreateRequestedSchema,
    PaymentRecordRequestedSchema,
)
from clientsynq.common.events.connection import ConnectionChangedSchema
from clientsynq.common.events.snapshots import (
    CustomerUpdatedSchema,
    InvoiceUpdatedSchema,
    PaymentRecordedSchema,
)
from clientsynq.common.events.sync import (
    QboEntityChangedSchema,
    SyncCompletedSchema,
    SyncFailedSchema,
    SyncProgressSchema,
    SyncRequestedSchema,
)
from marshmallow import Schema

CONNECTION_CHANGED = "connection.changed"
SYNC_REQUESTED = "sync.requested"
SYNC_COMPLETED = "sync.completed"
SYNC_FAILED = "sync.failed"
QBO_ENTITY_CHANGED = "qbo.entity.changed"
CUSTOMER_UPDATED = "customer.updated"
INVOICE_UPDATED = "invoice.updated"
PAYMENT_RECORDED = "payment.recorded"
INVOICE_CREATE_REQUESTED = "invoice.create.requested"
PAYMENT_RECORD_REQUESTED = "payment.record.requested"
COMMAND_FAILED = "command.failed"
COMMAND_SUCCEEDED = "command.succeeded"
SYNC_PROGRESS = "sync.progress"

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    schema: type[Schema]


def _spec(name: str, schema: type[Schema], partitions: int = 3) -> tuple[str, TopicSpec]:
    return name, TopicSpec(name=name, partitions=partitions, schema=schema)


TOPICS: Mapping[str, TopicSpec] = MappingProxyType(
    dict(
        [
            _spec(CONNECTION_CHANGED, ConnectionChangedSchema),
            _spec(SYNC_REQUESTED, SyncRequestedSchema),
            _spec(SYNC_COMPLETED, SyncCompletedSchema),
            _spec(SYNC_FAILED, SyncFailedSchema),
            _spec(QBO_ENTITY_CHANGED, QboEntityChangedSchema, partitions=6),
            _spec(CUSTOMER_UPDATED, CustomerUpdatedSchema, partitions=6),
            _spec(INVOICE_UPDATED, InvoiceUpdatedSchema, partitions=6),
            _spec(PAYMENT_RECORDED, PaymentRecordedSchema, partitions=6),
            _spec(INVOICE_CREATE_REQUESTED, InvoiceCreateRequestedSchema),
            _spec(PAYMENT_RECORD_REQUESTED, PaymentRecordRequestedSchema),
            _spec(COMMAND_FAILED, CommandFailedSchema),
            _spec(COMMAND_SUCCEEDED, CommandSucceededSchema),
            _spec(SYNC_PROGRESS, SyncProgressSchema),
        ]
    )
)


def dlq_topic(topic: str) -> str:
    """Where messages of ``topic`` that fail validation or handling are parked."""
    return f"{topic}{DLQ_SUFFIX}"


def all_topic_names(include_dlq: bool = True) -> list[str]:
    """Every topic to create at deploy time: the event topics, then their dead letters."""
    names = list(TOPICS)
    return names + [dlq_topic(name) for name in names] if include_dlq else names
