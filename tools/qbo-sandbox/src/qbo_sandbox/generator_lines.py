"""Invoice lines as QuickBooks writes them: sales lines, notes, sub-totals, discount, tax.

Money is computed in integer cents so every generated invoice reconciles exactly, the
way QuickBooks computes it (ApplyTaxAfterDiscount false, the US default):

    TotalAmt = sum(SalesItemLineDetail) - DiscountLineDetail + TxnTaxDetail.TotalTax
    TotalTax = round_half_up(taxable sales x rate)

The final SubTotalLineDetail (no Id, no LineNum) carries the sum of the sales lines; the
discount line follows it. Some invoices also hold a DescriptionOnly note line and a
sub-total line placed by the user between sales lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import timefmt

Entity = dict[str, Any]
TAX_RATE_PERCENT = (825, 100)  # 8.25 %, as (numerator in hundredths, 100)
TAX_RATE_REF = {"value": "3", "name": "California (8.25%)"}
TAX_CODE_REF = {"value": "2"}
DISCOUNT_ACCOUNT = {"value": "86", "name": "Discounts given"}
NOTES = ("Thank you for your business!", "Work performed on site.",
         "Parts ordered; delivery in two weeks.")


@dataclass(frozen=True)
class SaleItem:
    """One catalogue item as the line generator needs it."""

    item_id: str
    name: str
    price_cents: int
    taxable: bool


@dataclass(frozen=True)
class PricedLines:
    """The Line array and the computed totals, all in cents except the JSON itself."""

    lines: list[Entity]
    tax_detail: Entity
    total_cents: int


def dollars(cents: int) -> float:
    """JSON number for a cent amount (two decimals at most, exact for these magnitudes)."""
    return round(cents / 100, 2)


def priced_lines(rng: random.Random, items: tuple[SaleItem, ...]) -> PricedLines:
    """1 to 4 sales lines, an optional note, an optional user sub-total, discount and tax."""
    lines: list[Entity] = []
    subtotal = taxable = 0
    note_at = rng.randint(0, 4) if rng.random() < 0.2 else -1
    taxed = rng.random() < 0.4
    for n in range(rng.randint(1, 4)):
        if n == note_at:
            lines.append(_numbered(len(lines), {"Description": rng.choice(NOTES),
                                                "DetailType": "DescriptionOnly",
                                                "DescriptionLineDetail": {}}))
        item = rng.choice(items)
        qty = rng.randint(1, 10)
        amount = qty * item.price_cents
        subtotal += amount
        tax_code = "TAX" if taxed and item.taxable else "NON"
        taxable += amount if tax_code == "TAX" else 0
        lines.append(_numbered(len(lines), {
            "Description": item.name, "Amount": dollars(amount),
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item.item_id, "name": item.name},
                                    "Qty": qty, "UnitPrice": dollars(item.price_cents),
                                    "TaxCodeRef": {"value": tax_code}}}))
        if n == 1 and rng.random() < 0.1:
            lines.append(_numbered(len(lines), {"Amount": dollars(subtotal),
                                                "DetailType": "SubTotalLineDetail",
                                                "SubTotalLineDetail": {}}))
    lines.append({"Amount": dollars(subtotal), "DetailType": "SubTotalLineDetail",
                  "SubTotalLineDetail": {}})
    discount = _discount(rng, subtotal, lines)
    tax = _round_half_up(taxable * TAX_RATE_PERCENT[0], 100 * TAX_RATE_PERCENT[1])
    return PricedLines(lines, _tax_detail(tax, taxable), subtotal - discount + tax)


def _numbered(index: int, line: Entity) -> Entity:
    return {"Id": str(index + 1), "LineNum": index + 1, **line}


def _discount(rng: random.Random, subtotal: int, lines: list[Entity]) -> int:
    """A quarter of invoices get a discount: 5 or 10 percent, or a fixed $5 to $25."""
    if rng.random() >= 0.25:
        return 0
    if rng.random() < 0.6:
        percent = rng.choice((5, 10))
        amount = _round_half_up(subtotal * percent, 100)
        detail: Entity = {"PercentBased": True, "DiscountPercent": percent}
    else:
        amount = min(subtotal, rng.choice((500, 1000, 2500)))
        detail = {"PercentBased": False}
    lines.append({"Amount": dollars(amount), "DetailType": "DiscountLineDetail",
                  "DiscountLineDetail": {**detail, "DiscountAccountRef": DISCOUNT_ACCOUNT}})
    return amount


def _tax_detail(tax: int, taxable: int) -> Entity:
    if not tax:
        return {"TotalTax": 0}
    return {"TxnTaxCodeRef": TAX_CODE_REF, "TotalTax": dollars(tax),
            "TaxLine": [{"Amount": dollars(tax), "DetailType": "TaxLineDetail",
                         "TaxLineDetail": {"TaxRateRef": TAX_RATE_REF, "PercentBased": True,
                                           "TaxPercent": 8.25,
                                           "NetAmountTaxable": dollars(taxable)}}]}


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    return (2 * numerator + denominator) // (2 * denominator)


def bulk_imported(rows: list[Entity], fraction: float, rng: random.Random,
                  batch: int = 200) -> None:
    """Stamp `fraction` of the never-updated rows as bulk imports: batches of up to `batch`
    rows share one second, the earliest of the batch (so no row moves later in time)."""
    fresh = [r for r in rows if r["MetaData"]["CreateTime"] == r["MetaData"]["LastUpdatedTime"]]
    picked = rng.sample(fresh, int(len(fresh) * min(fraction, 1.0)))
    picked.sort(key=lambda r: timefmt.sort_key(r["MetaData"]["CreateTime"]))
    for first in range(0, len(picked), batch):
        chunk = picked[first:first + batch]
        instant = chunk[0]["MetaData"]["CreateTime"]
        for row in chunk:
            row["MetaData"] = {"CreateTime": instant, "LastUpdatedTime": instant}
