"""QBO entities → the snapshots of `customer.updated`, `invoice.updated`, `payment.recorded`.

Pure functions over parsed QBO JSON (numbers already Decimal). The result is the event's
wire form (decimal strings, RFC 3339 UTC), ready for `publish_many` to validate once.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from clientsynq.sync.domain import qbo_values as v

Entity = dict[str, Any]
PORTAL_PAYMENT_NOTE = "Paid through the ClientSynq portal"
# QBO's Line.DetailType → the event's detail_type; other kinds (tax, deposits) are skipped.
LINE_TYPES = {"SalesItemLineDetail": "sales_item", "DiscountLineDetail": "discount",
              "SubTotalLineDetail": "subtotal", "DescriptionOnly": "description_only",
              "GroupLineDetail": "group"}


def customer_snapshot(qbo: Entity, merged_into: str | None = None) -> Entity | None:
    """A customer merged into another comes from CDC as a deleted stub: sent as deleted
    (and inactive), so the portal stops listing it; a Merge webhook names the survivor."""
    if v.is_deleted_stub(qbo):
        return {"id": str(qbo["Id"]), "deleted": True, "active": False,
                "updated_at": v.updated_at(qbo), "merged_into": merged_into}
    return {
        "id": str(qbo["Id"]),
        "display_name": v.text(qbo.get("DisplayName")) or f"Customer {qbo['Id']}",
        "company_name": v.text(qbo.get("CompanyName")),
        "given_name": v.text(qbo.get("GivenName")),
        "family_name": v.text(qbo.get("FamilyName")),
        "email": v.email(qbo, "PrimaryEmailAddr"),
        "phone": v.text((qbo.get("PrimaryPhone") or {}).get("FreeFormNumber")),
        "balance": v.money(qbo.get("Balance")),
        "currency": v.currency(qbo),
        "active": qbo.get("Active", True) is not False,
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo) or v.updated_at(qbo),
        "updated_at": v.updated_at(qbo),
        "deleted": False,
    }


def invoice_status(qbo: Entity, today: date) -> str:
    """Overdue beats partially paid: a past-due balance is what the business must chase."""
    if v.is_deleted_stub(qbo):
        return "deleted"
    if v.is_voided(qbo):
        return "voided"
    total = v.to_decimal(qbo.get("TotalAmt", 0)) or Decimal(0)
    balance = v.to_decimal(qbo.get("Balance", 0)) or Decimal(0)
    if balance <= 0:
        return "paid"
    due = v.iso_date(qbo.get("DueDate"))
    if due is not None and due < today.isoformat():
        return "overdue"
    return "partially_paid" if balance < total else "open"


def invoice_snapshot(qbo: Entity, today: date, terms: Mapping[str, str]) -> Entity:
    if v.is_deleted_stub(qbo):
        return _deleted(qbo)
    term_id = v.ref_value(qbo, "SalesTermRef")
    return {
        "id": str(qbo["Id"]),
        "status": invoice_status(qbo, today),
        "updated_at": v.updated_at(qbo),
        "doc_number": v.text(qbo.get("DocNumber")),
        "customer_id": v.ref_value(qbo, "CustomerRef") or "",
        "customer_name": v.ref_name(qbo, "CustomerRef"),
        "txn_date": v.iso_date(qbo.get("TxnDate")),
        "due_date": v.iso_date(qbo.get("DueDate")),
        "terms": v.ref_name(qbo, "SalesTermRef") or terms.get(term_id or ""),
        "currency": v.currency(qbo),
        "total": v.money(qbo.get("TotalAmt")),
        "balance": v.money(qbo.get("Balance")),
        "email": v.email(qbo, "BillEmail"),
        "lines": [_line(line) for line in qbo.get("Line") or []
                  if line.get("DetailType") in LINE_TYPES],
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo),
        **invoice_totals(qbo),
    }


def invoice_totals(qbo: Entity) -> Entity:
    """QBO's own arithmetic: subtotal (items and groups) - discount + tax = TotalAmt."""
    sums = {"sales_item": Decimal(0), "group": Decimal(0), "discount": Decimal(0)}
    for line in qbo.get("Line") or []:
        kind = LINE_TYPES.get(str(line.get("DetailType")))
        if kind in sums:
            sums[kind] += v.to_decimal(line.get("Amount")) or Decimal(0)
    tax = v.to_decimal((qbo.get("TxnTaxDetail") or {}).get("TotalTax")) or Decimal(0)
    return {"subtotal": v.money(sums["sales_item"] + sums["group"]),
            "discount_total": v.money(sums["discount"]), "tax_total": v.money(tax)}


def _line(line: Entity) -> Entity:
    kind = LINE_TYPES[str(line.get("DetailType"))]
    detail = line.get(str(line.get("DetailType"))) or {}
    mapped = {
        "line_num": line["LineNum"] if isinstance(line.get("LineNum"), int) else None,
        "description": v.text(line.get("Description")),
        "amount": v.money(line.get("Amount")),
        "detail_type": kind,
        **_item_fields(detail),
    }
    if kind == "discount" and detail.get("PercentBased"):
        mapped["discount_percent"] = v.quantity(detail.get("DiscountPercent"))
    if kind == "group":
        mapped["item_name"] = v.ref_name(detail, "GroupItemRef")
        mapped["quantity"] = v.quantity(detail.get("Quantity"))
        mapped["components"] = [
            {"description": v.text(part.get("Description")),
             "amount": v.money(part.get("Amount")),
             **_item_fields(part.get("SalesItemLineDetail") or {})}
            for part in detail.get("Line") or []]
    return mapped


def _item_fields(detail: Entity) -> Entity:
    return {"quantity": v.quantity(detail.get("Qty")),
            "unit_price": v.unit_price(detail.get("UnitPrice")),
            "item_name": v.ref_name(detail, "ItemRef")}


def payment_snapshot(qbo: Entity, methods: Mapping[str, str] | None = None,
                     last_links: Mapping[str, Entity] | None = None) -> Entity:
    """`methods`: the realm's PaymentMethod names by id (QBO's ref often carries no name).
    `last_links`: for a deleted stub, what the payment paid when last seen, by id."""
    if v.is_deleted_stub(qbo):
        link = (last_links or {}).get(str(qbo["Id"])) or {}
        return {**_deleted(qbo), **{key: link[key] for key in LINK_FIELDS if key in link}}
    method_id = v.ref_value(qbo, "PaymentMethodRef")
    note = str(qbo.get("PrivateNote") or "")
    return {
        "id": str(qbo["Id"]),
        "status": "voided" if v.is_voided(qbo) else "recorded",
        "updated_at": v.updated_at(qbo),
        "customer_id": v.ref_value(qbo, "CustomerRef") or "",
        "customer_name": v.ref_name(qbo, "CustomerRef"),
        "txn_date": v.iso_date(qbo.get("TxnDate")),
        "total": v.money(qbo.get("TotalAmt")),
        "unapplied": v.money(qbo.get("UnappliedAmt")),
        "currency": v.currency(qbo),
        "method": v.ref_name(qbo, "PaymentMethodRef") or (methods or {}).get(method_id or ""),
        "method_id": method_id,
        "reference": v.text(qbo.get("PaymentRefNum")),
        "source": "portal" if note.startswith(PORTAL_PAYMENT_NOTE) else "qbo",
        "applied_to": applied_invoices(qbo),
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo),
    }


LINK_FIELDS = ("customer_id", "customer_name", "applied_to")


def payment_link(snapshot: Entity) -> Entity | None:
    """What a live payment snapshot says it pays, to remember for its deletion."""
    if snapshot.get("status") == "deleted":
        return None
    return {"payment_id": snapshot["id"], "updated_at": snapshot["updated_at"],
            "txn_date": snapshot.get("txn_date"),
            **{key: snapshot.get(key) for key in LINK_FIELDS}}


def payment_from_link(link: Entity) -> Entity:
    """A remembered link in the shape of the QBO payment it came from (date and the amount
    per invoice), so `with_payments` treats both alike."""
    return {"Id": link["payment_id"], "TxnDate": link.get("txn_date"),
            "Line": [{"Amount": item["amount"],
                      "LinkedTxn": [{"TxnId": item["invoice_id"], "TxnType": "Invoice"}]}
                     for item in link.get("applied_to") or []]}


def applied_invoices(qbo: Entity) -> list[Entity]:
    """Per invoice the amount this payment put on it (one line per invoice in QBO)."""
    amounts: dict[str, Decimal] = {}
    for line in qbo.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice" and linked.get("TxnId"):
                key = str(linked["TxnId"])
                amounts[key] = amounts.get(key, Decimal(0)) + (
                    v.to_decimal(line.get("Amount")) or Decimal(0))
    return [{"invoice_id": key, "amount": v.money(value)} for key, value in amounts.items()]


def _deleted(qbo: Entity) -> Entity:
    """A stub always carries MetaData.LastUpdatedTime: it orders the deletion after updates."""
    return {"id": str(qbo["Id"]), "status": "deleted", "updated_at": v.updated_at(qbo)}


def linked_payment_ids(qbo: Entity) -> list[str]:
    """The payments QBO lists on an invoice (LinkedTxn); their dates are on the payments."""
    return [str(link["TxnId"]) for link in qbo.get("LinkedTxn") or []
            if link.get("TxnType") == "Payment" and link.get("TxnId")]


def with_payments(snapshot: Entity, qbo: Entity, payments: Mapping[str, Entity]) -> Entity:
    """Adds `applied_payments` and `paid_date` when every linked payment is known; else
    leaves them out (None: not known) rather than show a partial history as the whole."""
    linked = linked_payment_ids(qbo)
    if snapshot.get("status") == "deleted" or any(pid not in payments for pid in linked):
        return snapshot
    applied = []
    for pid in linked:
        share = next((item["amount"] for item in applied_invoices(payments[pid])
                      if item["invoice_id"] == str(qbo["Id"])), None)
        if share is not None:
            applied.append({"payment_id": pid, "amount": share,
                            "txn_date": v.iso_date(payments[pid].get("TxnDate"))})
    dates = [item["txn_date"] for item in applied if item["txn_date"]]
    paid = snapshot.get("status") == "paid" and bool(dates)
    return {**snapshot, "applied_payments": applied, "paid_date": max(dates) if paid else None}
