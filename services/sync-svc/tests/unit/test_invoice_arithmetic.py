"""Invoice snapshots carry what a client sees on the invoice, and their numbers reconcile:
subtotal - discount + tax = total; a payment method arrives by name."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from clientsynq.common.events import encode_event
from clientsynq.sync.domain import snapshots
from clientsynq.sync.domain.events import snapshot_envelope
from clientsynq.sync.domain.qbo_values import loads

TODAY = date(2025, 7, 15)
# As QBO (and the sandbox's generator) writes it: a note, two items, a user sub-total,
# the automatic sub-total, a 10 % discount and 8.25 % tax on the taxable item.
INVOICE = loads(b"""{"Id":"140","SyncToken":"2","TxnDate":"2025-06-01","DueDate":"2025-07-01",
 "CustomerRef":{"value":"3","name":"Cool Cars"},"CurrencyRef":{"value":"USD"},
 "TotalAmt":250.50,"Balance":0,
 "Line":[{"Id":"1","LineNum":1,"Description":"Work performed on site.",
          "DetailType":"DescriptionOnly","DescriptionLineDetail":{}},
         {"Id":"2","LineNum":2,"Description":"Pump","Amount":200.0,
          "DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"5",
          "name":"Pump"},"Qty":2,"UnitPrice":100,"TaxCodeRef":{"value":"TAX"}}},
         {"Id":"3","LineNum":3,"Amount":200.0,"DetailType":"SubTotalLineDetail",
          "SubTotalLineDetail":{}},
         {"Id":"4","LineNum":4,"Description":"Labour","Amount":60.0,
          "DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"6",
          "name":"Labour"},"Qty":1.5,"UnitPrice":40,"TaxCodeRef":{"value":"NON"}}},
         {"Amount":260.0,"DetailType":"SubTotalLineDetail","SubTotalLineDetail":{}},
         {"Amount":26.0,"DetailType":"DiscountLineDetail","DiscountLineDetail":{
          "PercentBased":true,"DiscountPercent":10}}],
 "TxnTaxDetail":{"TotalTax":16.5},"LinkedTxn":[{"TxnId":"150","TxnType":"Payment"},
   {"TxnId":"151","TxnType":"Payment"}],
 "MetaData":{"CreateTime":"2025-06-01T10:00:00-07:00",
             "LastUpdatedTime":"2025-06-20T11:00:00-07:00"}}""")


def _payment(pid: str, day: str, amount: str) -> dict:
    return loads(f'{{"Id":"{pid}","TxnDate":"{day}","TotalAmt":{amount},'
                 f'"Line":[{{"Amount":{amount},"LinkedTxn":[{{"TxnId":"140",'
                 f'"TxnType":"Invoice"}}]}}]}}'.encode())


def _valid(entity: str, snapshot: dict) -> None:
    encode_event(snapshot_envelope(entity, snapshot, tenant_id="t1", realm_id="r1",
                                   source="/test", now=datetime.now(UTC)))


def test_lines_keep_their_kind_and_the_totals_reconcile():
    snapshot = snapshots.invoice_snapshot(INVOICE, TODAY, {})

    kinds = [line["detail_type"] for line in snapshot["lines"]]
    assert kinds == ["description_only", "sales_item", "subtotal", "sales_item", "subtotal",
                     "discount"]
    items = sum(Decimal(line["amount"]) for line in snapshot["lines"]
                if line["detail_type"] in ("sales_item", "group"))
    assert Decimal(snapshot["subtotal"]) == items == Decimal("260.00")
    assert (snapshot["discount_total"], snapshot["tax_total"]) == ("26.00", "16.50")
    assert (Decimal(snapshot["subtotal"]) - Decimal(snapshot["discount_total"])
            + Decimal(snapshot["tax_total"])) == Decimal(snapshot["total"])
    assert snapshot["lines"][5]["discount_percent"] == "10"
    assert snapshot["lines"][3]["quantity"] == "1.5"
    _valid("Invoice", snapshot)


def test_known_payments_give_the_paid_date_and_what_each_applied():
    payments = {"150": _payment("150", "2025-06-10", "100.00"),
                "151": _payment("151", "2025-06-20", "150.50")}
    snapshot = snapshots.with_payments(snapshots.invoice_snapshot(INVOICE, TODAY, {}),
                                       INVOICE, payments)

    assert snapshot["paid_date"] == "2025-06-20"
    assert snapshot["applied_payments"] == [
        {"payment_id": "150", "amount": "100.00", "txn_date": "2025-06-10"},
        {"payment_id": "151", "amount": "150.50", "txn_date": "2025-06-20"}]
    _valid("Invoice", snapshot)


def test_a_payment_not_read_leaves_the_history_unknown_not_partial():
    snapshot = snapshots.with_payments(snapshots.invoice_snapshot(INVOICE, TODAY, {}),
                                       INVOICE, {"150": _payment("150", "2025-06-10", "100")})

    assert "applied_payments" not in snapshot and "paid_date" not in snapshot


def test_a_payment_method_known_only_by_id_is_named_from_the_realms_list():
    payment = {**_payment("150", "2025-06-10", "100.00"), "PaymentMethodRef": {"value": "2"},
               "PaymentRefNum": "CHK-881", "CustomerRef": {"value": "3", "name": "Cool Cars"},
               "MetaData": {"LastUpdatedTime": "2025-06-10T10:00:00Z"}}

    snapshot = snapshots.payment_snapshot(payment, {"2": "Check"})

    assert (snapshot["method"], snapshot["method_id"]) == ("Check", "2")
    assert snapshot["reference"] == "CHK-881" and snapshot["customer_name"] == "Cool Cars"
    _valid("Payment", snapshot)
