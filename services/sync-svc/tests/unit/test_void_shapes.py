"""Every void shape the sandbox can write is read as voided, and only those.

The shapes come from the sandbox's own void rules (qbo_sandbox.rules.voids, the code that
answers over HTTP), through a JSON round trip as sync-svc parses QBO bodies; a new shape
added there is tested here without edits.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from clientsynq.sync.domain import snapshots
from clientsynq.sync.domain.qbo_values import is_voided, loads
from qbo_sandbox.rules import voids

TODAY = date(2026, 3, 9)
LINE = {"Id": "1", "LineNum": 1, "Amount": 40.0, "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 20}}
INVOICE = {"Id": "7", "TxnDate": "2026-03-01", "DueDate": "2026-03-31", "TotalAmt": 40.0,
           "Balance": 40.0, "CustomerRef": {"value": "3"}, "Line": [LINE],
           "LinkedTxn": [], "MetaData": {"CreateTime": "2026-03-01T10:00:00-08:00",
                                          "LastUpdatedTime": "2026-03-02T10:00:00-08:00"}}
PAYMENT = {"Id": "8", "TxnDate": "2026-03-02", "TotalAmt": 40.0, "UnappliedAmt": 0,
           "CustomerRef": {"value": "3"},
           "Line": [{"Amount": 40.0, "LinkedTxn": [{"TxnId": "7", "TxnType": "Invoice"}]}],
           "MetaData": INVOICE["MetaData"]}


def _wire(entity: dict[str, Any]) -> Any:
    return loads(json.dumps(entity))


@pytest.mark.parametrize("memo", [None, "Spring job", "Voiding checklist done"])
@pytest.mark.parametrize("shape", voids.SHAPES)
def test_every_void_shape_reads_as_voided(shape: str, memo: str | None) -> None:
    extra = {"PrivateNote": memo} if memo else {}
    invoice = _wire(voids.voided_invoice({**INVOICE, **extra}, shape))
    payment = _wire(voids.voided_payment({**PAYMENT, **extra}, shape))
    assert is_voided(invoice) and is_voided(payment), (invoice, payment)
    assert snapshots.invoice_status(invoice, TODAY) == "voided"
    assert snapshots.payment_snapshot(payment, {}, None)["status"] == "voided"


@pytest.mark.parametrize("memo", [None, "Voided", "Spring job"])
def test_live_transactions_are_not_voided(memo: str | None) -> None:
    extra = {"PrivateNote": memo} if memo else {}
    assert not is_voided(_wire({**INVOICE, **extra}))  # money on it
    assert not is_voided(_wire({**PAYMENT, **extra}))
    free = {**INVOICE, "TotalAmt": 0, "Balance": 0,
            "Line": [{**LINE, "Amount": 0, "SalesItemLineDetail": {
                **LINE["SalesItemLineDetail"], "UnitPrice": 0}}], "PrivateNote": "Spring job"}
    assert not is_voided(_wire(free))  # a $0 invoice (quantities kept) is not a void
    assert not is_voided(_wire({**PAYMENT, "TotalAmt": 0, "Line": [],
                                "PrivateNote": "Avoidance fee waived"}))
