"""Invoice lines priced as QuickBooks prices them: order, sub-total, discount, tax.

Lines come back as numbered lines (sales, DescriptionOnly), one SubTotalLineDetail (the sum
of the sales lines), then discount lines. A sales line's Amount must equal Qty x UnitPrice
(rounded to cents) when both are sent and not zero: QBO refuses the line otherwise
(client reports; code 6070). python-quickbooks' SalesItemLineDetail sends Qty 0 and
UnitPrice 0 with any Amount, which QBO accepts, so zeros are not checked.
Tax: the client's TotalTax is kept, or, with compute_tax, QBO's automated sales tax
replaces it: 8.25 % of the lines coded TAX.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import QboFault, business_rule, required_missing
from ..store import Entity
from .common import money

AMOUNT_LINES = ("SalesItemLineDetail", "GroupLineDetail")
CENT = Decimal("0.01")
TAX_RATE = Decimal("8.25")  # the generated companies' rate (generator_lines)


@dataclass(frozen=True)
class Priced:
    """The lines in QBO's order, sub-total minus discount, and the taxable amount."""

    lines: list[Entity]
    net: float
    taxable: Decimal


def priced_lines(raw_lines: object, check_amounts: bool) -> Priced:
    """Number and price the lines; sent sub-totals are dropped and one is recomputed."""
    if not isinstance(raw_lines, list) or not raw_lines:
        raise required_missing("Line")
    lines: list[Entity] = []
    discounts: list[Entity] = []
    for raw in raw_lines:
        kind = raw.get("DetailType") if isinstance(raw, dict) else None
        if kind == "SubTotalLineDetail":
            continue
        if kind == "DiscountLineDetail":
            discounts.append(dict(raw))
            continue
        if kind not in AMOUNT_LINES and kind != "DescriptionOnly":
            raise business_rule(f"Unsupported line DetailType {kind!r}")
        line = {**raw, "Id": str(len(lines) + 1), "LineNum": len(lines) + 1}
        if kind in AMOUNT_LINES:
            line["Amount"] = _sales_amount(line, line.get(kind) or {}, check_amounts)
        lines.append(line)
    if not any(line.get("DetailType") in AMOUNT_LINES for line in lines):
        raise business_rule("An invoice needs at least one SalesItemLineDetail line")
    subtotal = round(sum(line["Amount"] for line in lines if "Amount" in line), 2)
    taxable = sum((_dec(line["Amount"]) for line in lines if _taxed(line)), Decimal(0))
    lines.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail",
                  "SubTotalLineDetail": {}})
    discount = 0.0
    for line in discounts:
        line["Amount"] = _discount_amount(line, subtotal)
        discount += line["Amount"]
        lines.append(line)
    return Priced(lines, round(subtotal - discount, 2), taxable)


def tax_detail(sent: Any, priced: Priced, compute: bool) -> Entity:
    """TxnTaxDetail with a TotalTax: the client's, or computed from the TAX lines."""
    detail = dict(sent) if isinstance(sent, dict) else {}
    if not compute:
        detail["TotalTax"] = money(detail.get("TotalTax", 0), "TotalTax")
        return detail
    tax = (priced.taxable * TAX_RATE / 100).quantize(CENT, ROUND_HALF_UP)
    detail["TotalTax"] = float(tax)
    if tax:
        detail["TaxLine"] = [{"Amount": float(tax), "DetailType": "TaxLineDetail",
                              "TaxLineDetail": {"PercentBased": True, "TaxPercent": 8.25,
                                                "NetAmountTaxable": float(priced.taxable)}}]
    else:
        detail.pop("TaxLine", None)
    return detail


def _sales_amount(line: Entity, detail: Entity, check: bool) -> float:
    """Amount as sent, or Qty x UnitPrice when left out; a mismatch is refused (6070)."""
    has_product = "Qty" in detail and "UnitPrice" in detail
    product = None
    if has_product:
        money(detail["Qty"], "Qty")  # type checks only: both must be JSON numbers
        money(detail["UnitPrice"], "UnitPrice")
        product = (_dec(detail["Qty"]) * _dec(detail["UnitPrice"])).quantize(CENT,
                                                                            ROUND_HALF_UP)
    if "Amount" not in line:
        return float(product) if product is not None else 0.0
    amount = money(line["Amount"], "Line.Amount")
    zero = not detail.get("Qty") or not detail.get("UnitPrice")  # SDK defaults send 0 and 0
    if check and product is not None and not zero and _dec(amount) != product:
        raise QboFault("6070", "Amount calculation incorrect in the request",
                       f"Business Validation Error: Amount is not equal to UnitPrice * Qty. "
                       f"Supplied value:{amount}")
    return amount


def _discount_amount(line: Entity, subtotal: float) -> float:
    """A PercentBased discount is DiscountPercent of the sub-total; otherwise as sent."""
    detail = line.get("DiscountLineDetail") or {}
    if detail.get("PercentBased") and "DiscountPercent" in detail:
        percent = _dec(money(detail["DiscountPercent"], "DiscountPercent"))
        return float((_dec(subtotal) * percent / 100).quantize(CENT, ROUND_HALF_UP))
    return money(line.get("Amount", 0), "Line.Amount")


def _taxed(line: Entity) -> bool:
    detail = line.get("SalesItemLineDetail") or {}
    return "Amount" in line and (detail.get("TaxCodeRef") or {}).get("value") == "TAX"


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))
