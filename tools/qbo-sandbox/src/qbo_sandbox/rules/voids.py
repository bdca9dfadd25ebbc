"""What a voided invoice or payment looks like: two plausible shapes, one option.

Intuit's 2016 blog on voiding invoices sets Amount, TotalAmt and Balance to 0 and
PrivateNote to "Voided"; a PHP SDK answer (intuit/QuickBooks-V3-PHP-SDK #167) says voided
invoices come back with the lines, Qty 0, Amount 0 and "Void" in the private note. Which
one QBO writes today is unconfirmed, so:

- "zeroed" (default): invoice lines keep Qty, Amount 0; TotalAmt, Balance, TotalTax 0;
  PrivateNote "Voided" (the memo is replaced). Payment: TotalAmt 0, no lines, "Voided".
- "lines_kept": invoice lines keep their items, Qty 0 and Amount 0; the memo is kept with
  " Voided" after it. Payment: lines kept (LinkedTxn too) with Amount 0, TotalAmt and
  UnappliedAmt 0, the memo kept with " Voided" after it. A client that looks only for a
  note starting "Voided" misses these.
"""

from __future__ import annotations

from typing import Any

Entity = dict[str, Any]
SHAPES = ("zeroed", "lines_kept")


def is_voided(entity: Entity) -> bool:
    """A voided transaction in either shape: zero total and the void note."""
    note = str(entity.get("PrivateNote") or "")
    return entity.get("TotalAmt") == 0 and (note == "Voided" or note.endswith(" Voided"))


def voided_note(stored: Entity, shape: str) -> str:
    """The PrivateNote a voided transaction carries."""
    memo = str(stored.get("PrivateNote") or "").strip()
    if shape == "lines_kept" and memo:
        return f"{memo} Voided"
    return "Voided"


def voided_invoice(stored: Entity, shape: str) -> Entity:
    """The invoice's fields after a void (LinkedTxn removed: payments are detached)."""
    lines = []
    for line in stored.get("Line", []):
        if "Amount" in line:
            line = {**line, "Amount": 0}
        detail = line.get("SalesItemLineDetail")
        if shape == "lines_kept" and isinstance(detail, dict):
            line = {**line, "SalesItemLineDetail": {**detail, "Qty": 0}}
        lines.append(line)
    invoice = {k: v for k, v in stored.items() if k != "LinkedTxn"}
    invoice.update(Line=lines, TotalAmt=0, Balance=0, PrivateNote=voided_note(stored, shape))
    if "TxnTaxDetail" in invoice:
        invoice["TxnTaxDetail"] = {**invoice["TxnTaxDetail"], "TotalTax": 0}
    return invoice


def voided_payment(stored: Entity, shape: str) -> Entity:
    """The payment's fields after a void."""
    lines: list[Entity] = []
    if shape == "lines_kept":
        lines = [{**line, "Amount": 0} for line in stored.get("Line", [])]
    return {**stored, "TotalAmt": 0, "UnappliedAmt": 0, "Line": lines,
            "PrivateNote": voided_note(stored, shape)}
