"""Sync lifecycle events and Intuit's change notifications."""

from __future__ import annotations

from typing import Any

from clientsynq.common.events.base import StrictSchema
from clientsynq.common.events.fields import (
    ENTITIES,
    NULLABLE,
    StrictInteger,
    UtcDateTime,
    entity_list,
    nullable_text,
    one_of,
    text,
)
from marshmallow import ValidationError, fields, validate, validates_schema

SYNC_REASONS = ("initial", "schedule", "manual", "webhook", "reconcile", "full_resync")
SYNC_MODES = ("full", "incremental")
SYNC_ERROR_CLASSES = (
    "authorization_expired",
    "disconnected",
    "qbo_unavailable",
    "throttled",
    "internal",
)
ENTITY_OPERATIONS = ("create", "update", "delete", "merge", "void", "emailed")


def _check_order(data: dict[str, Any], start: str, end: str) -> None:
    """A run cannot end before it starts; a reversed pair means a producer bug."""
    if start in data and end in data and data[end] < data[start]:
        raise ValidationError(f"must not be earlier than {start}", end)


class SyncRequestedSchema(StrictSchema):
    request_id = text()
    entities = entity_list(non_empty=True)
    reason = one_of(*SYNC_REASONS, required=True)
    mode = one_of(*SYNC_MODES, required=True)
    requested_by = nullable_text()


class EntityCountsSchema(StrictSchema):
    """Only the entities the run covered appear."""

    Customer = StrictInteger(validate=validate.Range(min=0))
    Invoice = StrictInteger(validate=validate.Range(min=0))
    Payment = StrictInteger(validate=validate.Range(min=0))


class EntityCursorsSchema(StrictSchema):
    """Per entity, the LastUpdatedTime the next incremental run starts from."""

    Customer = UtcDateTime()
    Invoice = UtcDateTime()
    Payment = UtcDateTime()


class SyncCompletedSchema(StrictSchema):
    """``counts``: distinct rows published by this run per entity (a segment read again is
    not counted twice). v2 ``totals``: rows in scope per entity when the run ended (what
    the portal shows as "customers synced"); None or an absent entity means not counted.
    """

    run_id = text()
    request_id = nullable_text()
    entities = entity_list()
    mode = one_of(*SYNC_MODES, required=True)
    counts = fields.Nested(EntityCountsSchema, required=True)
    started_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(required=True)
    cursors = fields.Nested(EntityCursorsSchema, required=True)
    totals = fields.Nested(EntityCountsSchema, **NULLABLE)

    @validates_schema
    def _finished_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_order(data, "started_at", "finished_at")


class SyncProgressSchema(StrictSchema):
    """How far a running sync is with one entity, at most one event every 2 s per run.

    ``rows_expected`` is QBO's ``COUNT(*)`` of the segments in a full sync; None when it is
    not known up front (an incremental run reads CDC, which does not count first).
    """

    run_id = text()
    request_id = nullable_text()
    entity = one_of(*ENTITIES, required=True)
    rows_done = StrictInteger(required=True, validate=validate.Range(min=0))
    rows_expected = StrictInteger(validate=validate.Range(min=0), **NULLABLE)
    reported_at = UtcDateTime(required=True)


class SyncFailedSchema(StrictSchema):
    run_id = text()
    request_id = nullable_text()
    entities = entity_list()
    error_class = one_of(*SYNC_ERROR_CLASSES, required=True)
    message = fields.String(required=True)
    started_at = UtcDateTime(required=True)
    failed_at = UtcDateTime(required=True)

    @validates_schema
    def _failed_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_order(data, "started_at", "failed_at")


class QboEntityChangedSchema(StrictSchema):
    """Intuit only says *that* something changed; sync-svc fetches the entity itself."""

    entity = one_of("Customer", "Invoice", "Payment", required=True)
    entity_id = text()
    operation = one_of(*ENTITY_OPERATIONS, required=True)
    occurred_at = UtcDateTime(required=True)
    notification_id = text()
    deleted_id = fields.String(**NULLABLE, validate=validate.Length(min=1))
