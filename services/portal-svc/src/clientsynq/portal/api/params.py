"""Query parameters of the list endpoints, validated strictly (unknown ones are refused, so
a typo like `?stauts=paid` cannot silently return everything)."""
from __future__ import annotations

from typing import Any

from clientsynq.common.events.fields import IsoDate, UtcDateTime
from clientsynq.portal.domain.errors import InvalidQuery
from clientsynq.portal.domain.views import INVOICE_STATUSES
from clientsynq.portal.readmodels.queries import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CustomerQuery,
    InvoiceQuery,
    PaymentQuery,
)
from flask import request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

_ID = validate.Length(min=1, max=64)


class _PageSchema(Schema):
    class Meta:
        unknown = RAISE

    cursor = fields.String(validate=validate.Length(min=1, max=512))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, strict=False,
                           validate=validate.Range(min=1, max=MAX_LIMIT))


class InvoiceParams(_PageSchema):
    status = fields.String(validate=validate.Length(min=1, max=200))
    customer_id = fields.String(validate=_ID)
    due_before = IsoDate()
    due_after = IsoDate()
    updated_since = UtcDateTime()
    q = fields.String(validate=validate.Length(min=1, max=100))


class CustomerParams(_PageSchema):
    q = fields.String(validate=validate.Length(min=1, max=100))
    include_inactive = fields.Boolean(load_default=False)


class PaymentParams(_PageSchema):
    customer_id = fields.String(validate=_ID)
    invoice_id = fields.String(validate=_ID)
    updated_since = UtcDateTime()


# One instance each, shared by every request and thread: `load` keeps no state on the schema,
# and building one per request (marshmallow deep-copies its fields) was a fifth of the CPU of
# an invoice page served from the page cache.
_INVOICE, _CUSTOMER, _PAYMENT = InvoiceParams(), CustomerParams(), PaymentParams()


def _load(schema: Schema) -> dict[str, Any]:
    args = request.args
    repeated = [name for name in args if len(args.getlist(name)) > 1]
    if repeated:
        raise InvalidQuery(f"Give each parameter once: {', '.join(sorted(repeated))}.")
    try:
        loaded: dict[str, Any] = schema.load(args.to_dict())
    except ValidationError as exc:
        raise InvalidQuery("The query has invalid parameters.", errors=exc.messages) from None
    return loaded


def invoice_query() -> InvoiceQuery:
    p = _load(_INVOICE)
    statuses = tuple(s.strip() for s in p.pop("status", "").split(",") if s.strip())
    unknown = [s for s in statuses if s not in INVOICE_STATUSES]
    if unknown:
        raise InvalidQuery(f"Unknown status {', '.join(unknown)}; use "
                           f"{', '.join(INVOICE_STATUSES)}.")
    return InvoiceQuery(statuses=statuses, search=p.pop("q", None), **p)


def customer_query() -> CustomerQuery:
    p = _load(_CUSTOMER)
    return CustomerQuery(search=p.pop("q", None), **p)


def payment_query() -> PaymentQuery:
    return PaymentQuery(**_load(_PAYMENT))
