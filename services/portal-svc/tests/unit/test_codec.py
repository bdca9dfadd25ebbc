"""The document codec: every record the read models store comes back equal, types and all
(the loaders are worked out once per class from the type hints, not per value)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.domain.model import (
    AppliedPayment,
    CommandStatus,
    CompletedSync,
    ConnectionState,
    Customer,
    GroupComponent,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentApplication,
    RunningSync,
)

T0 = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
FULL_INVOICE = Invoice(
    tenant_id="t1", id="101", updated_at=T0, doc_number="INV-1", customer_id="1",
    customer_name="Zoë Lumber", txn_date=date(2026, 6, 1), due_date=date(2026, 7, 1),
    terms="Net 30", currency="USD", total=Decimal("100.10"), balance=Decimal("0.10"),
    subtotal=Decimal("90"), discount_total=Decimal("0.00"), tax_total=Decimal("10.10"),
    paid_date=date(2026, 6, 20), email=("a@example.com", "b@example.com"),
    lines=(InvoiceLine(amount=Decimal("90"), line_num=1, quantity=Decimal("1.5"),
                       unit_price=Decimal("60"), discount_percent=Decimal("2.5"),
                       detail_type="group",
                       components=(GroupComponent(amount=Decimal("90"), quantity=None,
                                                  unit_price=Decimal("3.333")),)),),
    applied_payments=(AppliedPayment(payment_id="p1", amount=Decimal("100"),
                                     txn_date=date(2026, 6, 20), method="Check"),),
    voided=False, sync_token="3", created_at=T0, command_id="c1")

RECORDS = [
    FULL_INVOICE,
    Invoice(tenant_id="t1", id="102", updated_at=T0),  # every optional field empty
    Customer(tenant_id="t1", id="1", updated_at=T0, display_name="Zoë", email=("z@x.io",),
             qbo_balance=Decimal("12.34"), active=False, created_at=T0),
    Payment(tenant_id="t1", id="p1", updated_at=T0, txn_date=date(2026, 6, 20),
            total=Decimal("100"), unapplied=Decimal("0.5"),
            applied_to=(PaymentApplication("101", Decimal("99.5")),)),
    ConnectionState(tenant_id="t1", status="connected", changed_at=T0, realm_id="9"),
    RunningSync(run_id="r1", started_at=T0, done=3, expected=None),
    CompletedSync(run_id="r1", mode="initial", started_at=T0, finished_at=T0,
                  counts={"Invoice": 3}, totals=None),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_comes_back_equal_with_its_types(record):
    back = from_doc(type(record), to_doc(record))
    assert back == record
    for name, value in vars(record).items():
        assert type(getattr(back, name)) is type(value), name


def test_a_stored_null_or_a_missing_field_loads_as_the_default_or_none():
    doc = {**to_doc(FULL_INVOICE), "subtotal": None, "paid_date": None}
    del doc["terms"]
    back = from_doc(Invoice, doc)
    assert (back.subtotal, back.paid_date, back.terms) == (None, None, None)


def test_a_command_status_round_trips():
    fields = {f: None for f in CommandStatus.__dataclass_fields__}
    record = CommandStatus(**{**fields, **{"command_id": "c1", "tenant_id": "t1",
                                           "command_type": "create_invoice", "state": "pending",
                                           "requested_at": T0}})
    assert from_doc(CommandStatus, to_doc(record)) == record
