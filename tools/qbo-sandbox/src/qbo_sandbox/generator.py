"""Deterministic company data: customers, invoices over the last 18 months, payments.

Built for speed (100k invoices in seconds): plain dicts, one random.Random, dates and
names picked from precomputed tables, no datetime arithmetic per row. The same seed and
`as_of` date always give the same company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import timefmt
from .generator_lines import bulk_imported, dollars, priced_lines
from .generator_lists import (
    ITEMS,
    PAYMENT_METHODS,
    SALE_ITEMS,
    TERMS,
    item,
    meta,
    payment_method,
    term,
)
from .rules.common import USD
from .rules.voids import voided_invoice

Entity = dict[str, Any]
SPAN_DAYS = 548  # about 18 months of invoices
MEMOS = ("Spring job", "Agreed by phone", "Call before visiting")
FIRST = ("Amy", "Bill", "Carla", "Dan", "Erin", "Frank", "Gina", "Hal", "Ivy", "Jon", "Kate",
         "Liam", "Mona", "Ned", "Olga", "Pete", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic")
LAST = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones",
        "Khan", "Lopez", "Meyer", "Nolan", "Ortiz", "Patel", "Reyes", "Singh", "Tran", "Young")
TRADES = ("Landscaping", "Bakery", "Plumbing", "Design", "Auto Repair", "Dental", "Cafe",
          "Consulting", "Fitness", "Pet Care", "Printing", "Roofing")


@dataclass(frozen=True)
class GenerateSpec:
    """What to generate; `as_of` pins "today" so tests and benchmarks are reproducible."""

    seed: int = 1
    customers: int = 50
    invoices: int = 400
    payments: int = 250
    company_name: str = "Sandbox Company_US_1"
    as_of: date | None = None
    void_shape: str = "zeroed"  # rules/voids.py
    tie_fraction: float = 0.0  # share of rows stamped into a few shared seconds (bulk import)
    tie_batch: int = 200  # rows per shared second (over 1000: a second no page can hold)


class _Clock:
    """Date and timestamp strings by "days ago", computed once."""

    def __init__(self, as_of: date, rng: random.Random) -> None:
        self.as_of = as_of
        self.rng = rng
        days = [as_of - timedelta(days=i) for i in range(SPAN_DAYS + 1200)]
        self.dates = [d.isoformat() for d in days]
        self.offsets = [timefmt.offset_text(d, 12) for d in days]  # DST changes at 2 am
        self.midnight_offset = timefmt.offset_text(as_of, 0)

    def stamp(self, days_ago: int, first_hour: int, last_hour: int) -> str:
        """A MetaData time on that day between the two hours (fixed company offset).

        Rows of `as_of` itself are stamped in its first minute: a time later in the day could
        lie in the future, which QBO never reports and which would make every change feed
        (CDC, "changed since") return history as if it had just happened."""
        r = self.rng.random
        hour = first_hour + int(r() * (last_hour - first_hour))
        minute = int(r() * 60)
        offset = self.offsets[days_ago]
        if days_ago == 0:
            hour = minute = 0
            offset = self.midnight_offset
        return f"{self.dates[days_ago]}T{hour:02d}:{minute:02d}:{int(r() * 60):02d}{offset}"


def generate_company(spec: GenerateSpec) -> dict[str, dict[str, Entity]]:
    """Entities by type and id, ready for CompanyStore.load."""
    rng = random.Random(spec.seed)
    clock = _Clock(spec.as_of or timefmt.today(), rng)
    customers = _customers(spec.customers, rng, clock)
    invoices = _invoices(spec.invoices, customers, rng, clock, spec.void_shape)
    payments = _payments(spec.payments, invoices, customers, rng, clock, len(invoices))
    _set_customer_balances(customers, invoices, payments)
    if spec.tie_fraction > 0:
        bulk_imported(customers, spec.tie_fraction, random.Random(spec.seed + 1),
                      spec.tie_batch)
        bulk_imported(invoices, spec.tie_fraction, random.Random(spec.seed + 2),
                      spec.tie_batch)
    return {"CompanyInfo": {"1": _company_info(spec, clock)},
            "Term": {t[0]: term(t, clock.stamp(SPAN_DAYS + 700, 8, 9)) for t in TERMS},
            "Item": {i[0]: item(i, clock.stamp(SPAN_DAYS + 700, 8, 9),
                                clock.dates[SPAN_DAYS + 700]) for i in ITEMS},
            "PaymentMethod": {m[0]: payment_method(m, clock.stamp(SPAN_DAYS + 700, 8, 9))
                              for m in PAYMENT_METHODS},
            "Customer": {c["Id"]: c for c in customers},
            "Invoice": {i["Id"]: i for i in invoices},
            "Payment": {p["Id"]: p for p in payments}}


def _customers(count: int, rng: random.Random, clock: _Clock) -> list[Entity]:
    rows = []
    for n in range(1, count + 1):
        given, family = rng.choice(FIRST), rng.choice(LAST)
        company = f"{family} {rng.choice(TRADES)}" if rng.random() < 0.5 else None
        display = f"{company or given + ' ' + family} {n}"
        created = clock.stamp(SPAN_DAYS + rng.randrange(30, 600), 8, 18)
        customer: Entity = {
            "Id": str(n), "SyncToken": "0", "domain": "QBO", "sparse": False,
            "DisplayName": display, "GivenName": given, "FamilyName": family,
            "FullyQualifiedName": display, "PrintOnCheckName": company or display,
            "Active": rng.random() >= 0.1, "Taxable": False, "Job": False,
            "BillWithParent": False, "Balance": 0, "BalanceWithJobs": 0, "CurrencyRef": USD,
            "PreferredDeliveryMethod": "Email", "SalesTermRef": {"value": rng.choice(TERMS)[0]},
            "PrimaryPhone": {"FreeFormNumber": f"(555) 555-{n % 10000:04d}"},
            "BillAddr": {"Id": str(n), "Line1": f"{n} Main St", "City": "Mountain View",
                         "CountrySubDivisionCode": "CA", "PostalCode": "94043"},
            "MetaData": meta(created)}
        if company:
            customer["CompanyName"] = company
        if rng.random() >= 0.15:
            customer["PrimaryEmailAddr"] = {"Address": f"{given}.{family}{n}@example.com".lower()}
        else:
            customer["PreferredDeliveryMethod"] = "Print"
        rows.append(customer)
    return rows


def _invoices(count: int, customers: list[Entity], rng: random.Random,
              clock: _Clock, void_shape: str) -> list[Entity]:
    if not customers:
        return []
    active = [c for c in customers if c["Active"]] or customers
    # Memos draw from their own sequence (a str seed is hashed with SHA-512, so stable), so
    # every other generated value is what it was before memos existed.
    memos = random.Random(f"memos-{count}-{customers[0]['DisplayName']}")
    rows = []
    for n in range(1, count + 1):
        customer = rng.choice(active) if rng.random() < 0.9 else rng.choice(customers)
        days_ago = rng.randrange(SPAN_DAYS)
        term_id, term_name, due_days = rng.choice(TERMS)
        priced = priced_lines(rng, SALE_ITEMS)
        total = dollars(priced.total_cents)
        created = clock.stamp(days_ago, 8, 12)
        invoice: Entity = {
            "Id": str(n), "SyncToken": "0", "domain": "QBO", "sparse": False,
            "DocNumber": str(1000 + n), "TxnDate": clock.dates[days_ago],
            "DueDate": (clock.as_of - timedelta(days=days_ago - due_days)).isoformat(),
            "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            "CurrencyRef": USD, "SalesTermRef": {"value": term_id, "name": term_name},
            "EmailStatus": "NotSet", "PrintStatus": "NeedToPrint", "TotalAmt": total,
            "Balance": total, "ApplyTaxAfterDiscount": False, "Line": priced.lines,
            "TxnTaxDetail": priced.tax_detail, "MetaData": meta(created)}
        email = customer.get("PrimaryEmailAddr")
        if email:
            invoice["BillEmail"] = email
            invoice["EmailStatus"] = "EmailSent" if rng.random() < 0.7 else "NeedToSend"
        if memos.random() < 0.15:  # a memo, which a "lines_kept" void keeps
            invoice["PrivateNote"] = memos.choice(MEMOS)
        if rng.random() < 0.03:
            _void(invoice, void_shape)
        rows.append(invoice)
    return rows


def _void(invoice: Entity, shape: str) -> None:
    invoice.update(voided_invoice(invoice, shape), SyncToken="1")


def _payments(count: int, invoices: list[Entity], customers: list[Entity],
              rng: random.Random, clock: _Clock, first_id: int) -> list[Entity]:
    """Each payment pays one invoice, fully or partly, some days after it was issued.

    A second round pays off what the first left open; payments beyond that are credits.
    """
    candidates = [i for i in invoices if i["Balance"] > 0]
    rng.shuffle(candidates)
    rows: list[Entity] = []
    for first_round in (True, False):
        for invoice in candidates:
            if len(rows) >= count:
                break
            if invoice["Balance"] <= 0:
                continue
            amount = invoice["Balance"]
            if first_round and rng.random() >= 0.8:
                amount = round(amount * rng.uniform(0.3, 0.7), 2)
            rows.append(_payment(first_id + len(rows) + 1, invoice, amount, rng, clock))
    while len(rows) < count and customers:
        rows.append(_credit(first_id + len(rows) + 1, rng.choice(customers), rng, clock))
    return rows


def _payment(payment_id: int, invoice: Entity, amount: float, rng: random.Random,
             clock: _Clock) -> Entity:
    issued = (clock.as_of - date.fromisoformat(invoice["TxnDate"])).days
    days_ago = max(0, issued - rng.randrange(0, 60))
    when = clock.stamp(days_ago, 13, 18)
    if timefmt.sort_key(when) < timefmt.sort_key(invoice["MetaData"]["LastUpdatedTime"]):
        when = invoice["MetaData"]["LastUpdatedTime"]
    pid = str(payment_id)
    invoice["Balance"] = round(invoice["Balance"] - amount, 2)
    invoice.setdefault("LinkedTxn", []).append({"TxnId": pid, "TxnType": "Payment"})
    invoice["SyncToken"] = str(int(invoice["SyncToken"]) + 1)
    invoice["MetaData"] = meta(invoice["MetaData"]["CreateTime"], when)
    return {"Id": pid, "SyncToken": "0", "domain": "QBO", "sparse": False,
            "TxnDate": clock.dates[days_ago], "TotalAmt": amount, "UnappliedAmt": 0,
            "CustomerRef": dict(invoice["CustomerRef"]), "CurrencyRef": USD,
            "DepositToAccountRef": {"value": "4"}, "PaymentRefNum": str(5000 + payment_id),
            "PaymentMethodRef": {"value": rng.choice(PAYMENT_METHODS)[0]},
            "ProcessPayment": False, "MetaData": meta(when),
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"],
                                                       "TxnType": "Invoice"}]}]}


def _credit(payment_id: int, customer: Entity, rng: random.Random, clock: _Clock) -> Entity:
    amount = round(rng.uniform(10, 200), 2)
    days_ago = rng.randrange(SPAN_DAYS)
    return {"Id": str(payment_id), "SyncToken": "0", "domain": "QBO", "sparse": False,
            "TxnDate": clock.dates[days_ago], "TotalAmt": amount, "UnappliedAmt": amount,
            "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            "CurrencyRef": USD, "ProcessPayment": False, "Line": [],
            "PaymentMethodRef": {"value": rng.choice(PAYMENT_METHODS)[0]},
            "MetaData": meta(clock.stamp(days_ago, 13, 18))}


def _set_customer_balances(customers: list[Entity], invoices: list[Entity],
                           payments: list[Entity]) -> None:
    balances: dict[str, float] = {}
    for invoice in invoices:
        key = invoice["CustomerRef"]["value"]
        balances[key] = balances.get(key, 0) + invoice["Balance"]
    for payment in payments:
        key = payment["CustomerRef"]["value"]
        balances[key] = balances.get(key, 0) - payment["UnappliedAmt"]
    for customer in customers:
        balance = round(balances.get(customer["Id"], 0), 2)
        customer["Balance"] = customer["BalanceWithJobs"] = balance


def _company_info(spec: GenerateSpec, clock: _Clock) -> Entity:
    created = clock.stamp(SPAN_DAYS + 1000, 8, 9)
    address = {"Id": "1", "Line1": "2600 Marine Way", "City": "Mountain View",
               "CountrySubDivisionCode": "CA", "PostalCode": "94043", "Country": "USA"}
    return {"Id": "1", "SyncToken": "0", "domain": "QBO", "sparse": False,
            "CompanyName": spec.company_name, "LegalName": spec.company_name,
            "CompanyAddr": address, "CustomerCommunicationAddr": address,
            "LegalAddr": address, "Country": "US", "Email": {"Address": "noreply@quickbooks.com"},
            "FiscalYearStartMonth": "January", "SupportedLanguages": "en",
            "CompanyStartDate": clock.dates[SPAN_DAYS + 1000],
            "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                          {"Name": "NeoEnabled", "Value": "true"}],
            "MetaData": meta(created)}
