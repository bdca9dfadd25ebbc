"""Pro write commands (portal → sync-svc) and how they settle: succeeded or failed.

``command_id`` is a UUID because sync-svc passes it to QBO as ``requestid``: a redelivered
command then cannot create a second invoice or payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientsynq.common.events.base import StrictSchema
from clientsynq.common.events.fields import (
    NULLABLE,
    DecimalString,
    IsoDate,
    Money,
    UtcDateTime,
    emails,
    nullable_text,
    one_of,
    text,
    uuid_text,
)
from clientsynq.common.events.snapshots import UNIT_PRICE_PLACES
from marshmallow import ValidationError, fields, validate, validates_schema

COMMAND_TYPES = ("invoice.create.requested", "payment.record.requested")
PAYMENT_COMMAND_SOURCES = ("portal", "business")
COMMAND_RESOLUTIONS = ("response", "replay", "read_back")
_POSITIVE = validate.Range(min=Decimal(0), min_inclusive=False, error="must be greater than 0")


class NewInvoiceLineSchema(StrictSchema):
    description = text()
    amount = Money(required=True, validate=_POSITIVE)
    item_id = nullable_text()
    quantity = DecimalString(**NULLABLE)
    unit_price = Money(max_places=UNIT_PRICE_PLACES, **NULLABLE)


class InvoiceCreateRequestedSchema(StrictSchema):
    command_id = uuid_text()
    customer_id = text()
    txn_date = IsoDate(**NULLABLE)
    due_date = IsoDate(**NULLABLE)
    terms_id = nullable_text()
    email = emails()
    lines = fields.List(
        fields.Nested(NewInvoiceLineSchema), required=True, validate=validate.Length(min=1)
    )
    requested_by = text()

    @validates_schema
    def _due_not_before_txn(self, data: dict[str, Any], **kwargs: Any) -> None:
        txn, due = data.get("txn_date"), data.get("due_date")
        if txn is not None and due is not None and due < txn:
            raise ValidationError("must not be earlier than txn_date", "due_date")


class PaymentApplicationSchema(StrictSchema):
    invoice_id = text()
    amount = Money(required=True, validate=_POSITIVE)


class PaymentRecordRequestedSchema(StrictSchema):
    command_id = uuid_text()
    customer_id = text()
    amount = Money(required=True, validate=_POSITIVE)
    applied_to = fields.List(
        fields.Nested(PaymentApplicationSchema), required=True, validate=validate.Length(min=1)
    )
    method = nullable_text()
    reference = nullable_text()
    txn_date = IsoDate(**NULLABLE)
    source = one_of(*PAYMENT_COMMAND_SOURCES, required=True)
    requested_by = text()

    @validates_schema
    def _applications_fit(self, data: dict[str, Any], **kwargs: Any) -> None:
        """QBO would reject over-application; catching it here gives the user the reason."""
        applied = data.get("applied_to", [])
        invoice_ids = [item["invoice_id"] for item in applied]
        if len(set(invoice_ids)) != len(invoice_ids):
            raise ValidationError("each invoice may appear only once", "applied_to")
        if sum((item["amount"] for item in applied), Decimal(0)) > data["amount"]:
            raise ValidationError("applied amounts exceed the payment amount", "applied_to")


class CommandFailedSchema(StrictSchema):
    command_id = uuid_text()
    command_type = one_of(*COMMAND_TYPES, required=True)
    reason = text()
    code = nullable_text()
    failed_at = UtcDateTime(required=True)


class CommandSucceededSchema(StrictSchema):
    """A Pro command carried out in QBO, exactly once per command id.

    ``qbo_id`` is the invoice or payment it produced (its snapshot follows on
    ``invoice.updated`` / ``payment.recorded`` with the same ``command_id``), so the portal
    can replace its pending row by the real one. ``resolved_by`` says how sync-svc knows:
    QBO's answer to the POST, the same ``requestid`` replayed after an unknown outcome, or a
    read-back that found the object.
    """

    command_id = uuid_text()
    command_type = one_of(*COMMAND_TYPES, required=True)
    entity = one_of("Invoice", "Payment", required=True)
    qbo_id = text()
    doc_number = nullable_text()
    resolved_by = one_of(*COMMAND_RESOLUTIONS, required=True)
    succeeded_at = UtcDateTime(required=True)
