"""Full entity snapshots published by sync-svc after reading QBO.

Consumers upsert by id and keep the newer snapshot (``updated_at``, then ``sync_token``),
so every snapshot carries both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clientsynq.common.events.base import StrictSchema
from clientsynq.common.events.fields import (
    NULLABLE,
    DecimalString,
    IsoDate,
    Money,
    StrictBoolean,
    StrictInteger,
    UtcDateTime,
    currency,
    emails,
    nullable_text,
    one_of,
    optional_text,
    text,
)
from marshmallow import ValidationError, fields, validates_schema

INVOICE_STATUSES = ("paid", "partially_paid", "open", "overdue", "voided", "deleted")
# QBO's Line.DetailType, in our words: SalesItemLineDetail, DiscountLineDetail,
# SubTotalLineDetail, DescriptionOnly, GroupLineDetail.
LINE_DETAIL_TYPES = ("sales_item", "discount", "subtotal", "description_only", "group")
PAYMENT_STATUSES = ("recorded", "voided", "deleted")
PAYMENT_SOURCES = ("qbo", "portal")
# QBO unit prices carry more than cents (e.g. 0.125); rounding them would change totals.
UNIT_PRICE_PLACES = 6


def require_unless_deleted(data: dict[str, Any], names: Iterable[str],
                           deleted: bool | None = None) -> None:
    """QBO reports a deleted transaction (or a customer merged into another) as a stub: Id
    and LastUpdatedTime only.

    So the full shape is enforced only for live snapshots; a stub is still a valid event
    that tells consumers to mark the entity deleted.
    """
    if deleted if deleted is not None else data.get("status") == "deleted":
        return
    for name in names:  # the everyday case: all there, so no error dict is built
        if name not in data:
            break
    else:
        return
    missing = {name: ["Missing data for required field."] for name in names if name not in data}
    if missing:
        raise ValidationError(missing)


class CustomerSnapshotSchema(StrictSchema):
    id = text()
    deleted = StrictBoolean(required=True)
    updated_at = UtcDateTime(required=True)
    display_name = optional_text()
    company_name = nullable_text()
    given_name = nullable_text()
    family_name = nullable_text()
    email = emails()
    phone = nullable_text()
    balance = Money()
    currency = currency()
    active = StrictBoolean()
    sync_token = optional_text()
    created_at = UtcDateTime()
    # v2: the customer it was merged into (only on a deleted stub from a Merge).
    merged_into = nullable_text()

    @validates_schema
    def _full_unless_deleted(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A customer merged into another is gone from QBO: only its id remains."""
        require_unless_deleted(
            data, ("display_name", "balance", "currency", "active", "sync_token", "created_at"),
            deleted=data.get("deleted") is True)


class CustomerUpdatedSchema(StrictSchema):
    customer = fields.Nested(CustomerSnapshotSchema, required=True)


class GroupComponentSchema(StrictSchema):
    """One line inside a group (a bundle): what the client sees under the group's name."""

    description = nullable_text()
    amount = Money(required=True)
    quantity = DecimalString(**NULLABLE)
    unit_price = Money(max_places=UNIT_PRICE_PLACES, **NULLABLE)
    item_name = nullable_text()


class InvoiceLineSchema(StrictSchema):
    """A line as QBO holds it. ``unit_price`` is the rate. v2 adds ``detail_type`` (absent,
    it loads as None: a v1 producer sent only amount-bearing lines, all read as items),
    ``discount_percent`` for a percentage discount line and ``components`` of a group.

    A discount line's ``amount`` is positive and is subtracted (see ``discount_total``);
    a subtotal line repeats the sum above it and is never added again.
    """

    line_num = StrictInteger(**NULLABLE)
    description = nullable_text()
    amount = Money(required=True)
    quantity = DecimalString(**NULLABLE)
    unit_price = Money(max_places=UNIT_PRICE_PLACES, **NULLABLE)
    item_name = nullable_text()
    detail_type = one_of(*LINE_DETAIL_TYPES, **NULLABLE)
    discount_percent = DecimalString(**NULLABLE)
    components = fields.List(fields.Nested(GroupComponentSchema), **NULLABLE)


class AppliedPaymentSchema(StrictSchema):
    """A payment applied to an invoice: which, how much of it went to this invoice, when."""

    payment_id = text()
    amount = Money(required=True)
    txn_date = IsoDate(**NULLABLE)


class InvoiceSnapshotSchema(StrictSchema):
    id = text()
    status = one_of(*INVOICE_STATUSES, required=True)
    updated_at = UtcDateTime(required=True)
    doc_number = nullable_text()
    customer_id = optional_text()
    customer_name = nullable_text()
    txn_date = IsoDate()
    due_date = IsoDate(**NULLABLE)
    terms = nullable_text()
    currency = currency()
    total = Money()
    balance = Money()
    email = emails()
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    sync_token = optional_text()
    created_at = UtcDateTime(**NULLABLE)
    # v2 (all nullable: absent in v1 events, None = not known). Reconciliation:
    # subtotal - discount_total + tax_total == total (QBO's own arithmetic).
    subtotal = Money(**NULLABLE)
    discount_total = Money(**NULLABLE)
    tax_total = Money(**NULLABLE)
    paid_date = IsoDate(**NULLABLE)
    applied_payments = fields.List(fields.Nested(AppliedPaymentSchema), **NULLABLE)
    command_id = nullable_text()

    @validates_schema
    def _full_unless_deleted(self, data: dict[str, Any], **kwargs: Any) -> None:
        require_unless_deleted(
            data,
            ("customer_id", "txn_date", "currency", "total", "balance", "lines", "sync_token"),
        )


class InvoiceUpdatedSchema(StrictSchema):
    invoice = fields.Nested(InvoiceSnapshotSchema, required=True)


class AppliedAmountSchema(StrictSchema):
    invoice_id = text()
    amount = Money(required=True)


class PaymentSnapshotSchema(StrictSchema):
    id = text()
    status = one_of(*PAYMENT_STATUSES, required=True)
    updated_at = UtcDateTime(required=True)
    customer_id = optional_text()
    customer_name = nullable_text()
    txn_date = IsoDate()
    total = Money()
    unapplied = Money()
    currency = currency()
    method = nullable_text()
    reference = nullable_text()
    source = one_of(*PAYMENT_SOURCES)
    applied_to = fields.List(fields.Nested(AppliedAmountSchema))
    sync_token = optional_text()
    created_at = UtcDateTime(**NULLABLE)
    # v2: ``method`` is the PaymentMethod's name; its QBO id beside it.
    method_id = nullable_text()
    command_id = nullable_text()

    @validates_schema
    def _full_unless_deleted(self, data: dict[str, Any], **kwargs: Any) -> None:
        require_unless_deleted(
            data,
            (
                "customer_id", "txn_date", "total", "unapplied", "currency", "source",
                "applied_to", "sync_token",
            ),
        )


class PaymentRecordedSchema(StrictSchema):
    payment = fields.Nested(PaymentSnapshotSchema, required=True)
