"""QBO JSON → snapshots: exact money, statuses, and the events' schemas accept them."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from clientsynq.common.events import encode_event
from clientsynq.sync.domain import snapshots
from clientsynq.sync.domain.events import snapshot_envelope
from clientsynq.sync.domain.qbo_values import loads

TODAY = date(2025, 7, 15)
INVOICE = b"""{"Id":"130","SyncToken":"1","DocNumber":"1037","TxnDate":"2025-06-01",
 "DueDate":"2025-07-01","CustomerRef":{"value":"3","name":"Cool Cars"},
 "CurrencyRef":{"value":"USD"},"SalesTermRef":{"value":"3"},
 "BillEmail":{"Address":"cool_cars@intuit.com"},"TotalAmt":301.82,"Balance":100.10,
 "Line":[{"Id":"1","LineNum":1,"Description":"Rock Fountain","Amount":275.0,
   "DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"5",
   "name":"Rock Fountain"},"Qty":1,"UnitPrice":0.125}},
  {"Amount":275.0,"DetailType":"SubTotalLineDetail","SubTotalLineDetail":{}}],
 "MetaData":{"CreateTime":"2025-06-01T10:00:00-07:00",
             "LastUpdatedTime":"2025-06-02T11:00:00-07:00"}}"""


def _invoice(**changes):
    return {**loads(INVOICE), **changes}


def _valid(entity, snapshot):
    envelope = snapshot_envelope(entity, snapshot, tenant_id="t1", realm_id="r1",
                                 source="/test", now=datetime.now(UTC))
    return encode_event(envelope)


def test_money_is_exact_and_times_are_utc():
    snapshot = snapshots.invoice_snapshot(_invoice(), TODAY, {"3": "Net 30"})
    assert snapshot["total"] == "301.82" and snapshot["balance"] == "100.10"
    assert snapshot["lines"] == [
        {"line_num": 1, "description": "Rock Fountain", "amount": "275.00", "quantity": "1",
         "unit_price": "0.125", "item_name": "Rock Fountain", "detail_type": "sales_item"},
        {"line_num": None, "description": None, "amount": "275.00", "quantity": None,
         "unit_price": None, "item_name": None, "detail_type": "subtotal"}]
    assert snapshot["updated_at"] == "2025-06-02T18:00:00Z"
    assert snapshot["terms"] == "Net 30"
    _valid("Invoice", snapshot)


def test_a_float_never_reaches_the_money_helpers():
    with pytest.raises(TypeError):
        snapshots.invoice_snapshot({**_invoice(), "TotalAmt": 1.5}, TODAY, {})


@pytest.mark.parametrize(("changes", "status"), [
    ({"Balance": 0}, "paid"),
    ({"Balance": 301.82, "DueDate": "2025-08-01"}, "open"),
    ({"Balance": 100, "DueDate": "2025-08-01"}, "partially_paid"),
    ({"Balance": 100, "DueDate": "2025-07-01"}, "overdue"),
    ({"TotalAmt": 0, "Balance": 0, "PrivateNote": "Voided"}, "voided"),
])
def test_invoice_status(changes, status):
    from decimal import Decimal

    fixed = {k: Decimal(str(v)) if isinstance(v, (int, float)) else v
             for k, v in changes.items()}
    assert snapshots.invoice_status(_invoice(**fixed), TODAY) == status


def test_a_deleted_invoice_is_a_valid_stub():
    stub = {"status": "Deleted", "domain": "QBO", "Id": "979",
            "MetaData": {"LastUpdatedTime": "2025-06-03T09:00:00-07:00"}}
    snapshot = snapshots.invoice_snapshot(stub, TODAY, {})
    assert snapshot == {"id": "979", "status": "deleted", "updated_at": "2025-06-03T16:00:00Z"}
    _valid("Invoice", snapshot)


def test_an_inactive_customer_is_sent_as_inactive_and_a_bad_email_is_dropped():
    customer = loads(b"""{"Id":"4","SyncToken":"0","DisplayName":"Bob","Active":false,
        "Balance":12.5,"PrimaryEmailAddr":{"Address":"not an email"},
        "MetaData":{"CreateTime":"2025-01-01T00:00:00-08:00",
                    "LastUpdatedTime":"2025-01-02T00:00:00-08:00"}}""")
    snapshot = snapshots.customer_snapshot(customer)
    assert snapshot is not None
    assert snapshot["active"] is False and snapshot["email"] is None
    assert snapshot["balance"] == "12.50" and snapshot["currency"] == "USD"
    _valid("Customer", snapshot)


def test_a_payment_lists_the_invoices_it_pays():
    payment = loads(b"""{"Id":"131","SyncToken":"0","TxnDate":"2025-06-15","TotalAmt":301.82,
        "UnappliedAmt":0,"CustomerRef":{"value":"3","name":"Cool Cars"},
        "PaymentMethodRef":{"value":"2","name":"Visa"},"PaymentRefNum":"1234",
        "PrivateNote":"Paid through the ClientSynq portal (card)",
        "Line":[{"Amount":301.82,"LinkedTxn":[{"TxnId":"130","TxnType":"Invoice"}]}],
        "MetaData":{"CreateTime":"2025-06-15T09:00:00-07:00",
                    "LastUpdatedTime":"2025-06-15T09:00:00-07:00"}}""")
    snapshot = snapshots.payment_snapshot(payment)
    assert snapshot["applied_to"] == [{"invoice_id": "130", "amount": "301.82"}]
    assert snapshot["method"] == "Visa" and snapshot["source"] == "portal"
    _valid("Payment", snapshot)


def test_a_merged_away_customer_is_sent_as_deleted():
    stub = loads(b"""{"status":"Deleted","domain":"QBO","Id":"7",
        "MetaData":{"LastUpdatedTime":"2025-01-02T00:00:00-08:00"}}""")
    snapshot = snapshots.customer_snapshot(stub)
    assert snapshot is not None
    assert snapshot["deleted"] is True and snapshot["active"] is False
    _valid("Customer", snapshot)
