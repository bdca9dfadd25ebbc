"""Pro write commands → the QBO request bodies that carry them out.

Amounts leave as JSON numbers (QBO wants numbers). They are Decimals here; a float is
made only for the JSON encoder, and only when its shortest repr is exactly the Decimal's
digits, so no amount can change on the way out.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from clientsynq.sync.domain.snapshots import PORTAL_PAYMENT_NOTE

Entity = dict[str, Any]


def qbo_number(value: Decimal) -> float:
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"{value} cannot be sent to QBO without changing it")
    return number


def invoice_body(command: Mapping[str, Any]) -> Entity:
    body: Entity = {"CustomerRef": {"value": command["customer_id"]},
                    "Line": [_invoice_line(line) for line in command["lines"]]}
    if command.get("txn_date"):
        body["TxnDate"] = command["txn_date"].isoformat()
    if command.get("due_date"):
        body["DueDate"] = command["due_date"].isoformat()
    if command.get("terms_id"):
        body["SalesTermRef"] = {"value": command["terms_id"]}
    if command.get("email"):
        body["BillEmail"] = {"Address": command["email"]}
    return body


def _invoice_line(line: Mapping[str, Any]) -> Entity:
    detail: Entity = {}
    if line.get("item_id"):
        detail["ItemRef"] = {"value": line["item_id"]}
    if line.get("quantity") is not None:
        detail["Qty"] = qbo_number(line["quantity"])
    if line.get("unit_price") is not None:
        detail["UnitPrice"] = qbo_number(line["unit_price"])
    return {"DetailType": "SalesItemLineDetail", "Amount": qbo_number(line["amount"]),
            "Description": line["description"], "SalesItemLineDetail": detail}


def payment_body(command: Mapping[str, Any]) -> Entity:
    """QBO's PaymentMethodRef needs a method id we do not have, so the method the client
    used is kept in the note (with the portal marker the snapshot mapping recognises)."""
    body: Entity = {
        "CustomerRef": {"value": command["customer_id"]},
        "TotalAmt": qbo_number(command["amount"]),
        "Line": [{"Amount": qbo_number(item["amount"]),
                  "LinkedTxn": [{"TxnId": item["invoice_id"], "TxnType": "Invoice"}]}
                 for item in command["applied_to"]],
    }
    if command.get("txn_date"):
        body["TxnDate"] = command["txn_date"].isoformat()
    if command.get("reference"):
        body["PaymentRefNum"] = command["reference"][:21]  # QBO's limit for the field
    note = PORTAL_PAYMENT_NOTE if command.get("source") == "portal" else ""
    if command.get("method"):
        note = f"{note} ({command['method']})" if note else f"Method: {command['method']}"
    if note:
        body["PrivateNote"] = note
    return body
