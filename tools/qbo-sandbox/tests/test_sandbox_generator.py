"""The data generator: deterministic, consistent, and big enough for benchmarks."""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from datetime import date
from typing import Any

from qbo_sandbox.generator import GenerateSpec, generate_company
from qbo_sandbox.options import SandboxOptions
from qbo_sandbox.sandbox import LARGE_COMPANY_ROWS, Sandbox

AS_OF = date(2026, 3, 1)


def check_consistency(data: dict[str, dict[str, Any]]) -> None:
    """Invoice balances follow their payments; customer balances follow both."""
    applied: defaultdict[str, float] = defaultdict(float)
    for payment in data["Payment"].values():
        lines = sum(line["Amount"] for line in payment["Line"])
        assert round(payment["TotalAmt"] - lines, 2) == payment["UnappliedAmt"]
        for line in payment["Line"]:
            invoice_id = line["LinkedTxn"][0]["TxnId"]
            applied[invoice_id] += line["Amount"]
            invoice = data["Invoice"][invoice_id]
            assert {"TxnId": payment["Id"], "TxnType": "Payment"} in invoice["LinkedTxn"]
            assert invoice["CustomerRef"]["value"] == payment["CustomerRef"]["value"]
    open_by_customer: defaultdict[str, float] = defaultdict(float)
    for invoice in data["Invoice"].values():
        assert round(invoice["TotalAmt"] - applied[invoice["Id"]], 2) == invoice["Balance"]
        assert invoice["Balance"] >= 0
        open_by_customer[invoice["CustomerRef"]["value"]] += invoice["Balance"]
    for payment in data["Payment"].values():
        open_by_customer[payment["CustomerRef"]["value"]] -= payment["UnappliedAmt"]
    for customer in data["Customer"].values():
        assert customer["Balance"] == round(open_by_customer[customer["Id"]], 2)


def test_the_same_seed_gives_the_same_company() -> None:
    spec = GenerateSpec(seed=42, customers=50, invoices=300, payments=200, as_of=AS_OF)
    first, second = generate_company(spec), generate_company(spec)
    other = generate_company(GenerateSpec(seed=43, customers=50, invoices=300, payments=200,
                                          as_of=AS_OF))
    assert first == second
    assert first["Invoice"] != other["Invoice"]


def test_the_company_has_every_kind_of_customer_and_invoice() -> None:
    data = generate_company(GenerateSpec(seed=5, customers=200, invoices=2000, payments=1200,
                                         as_of=AS_OF))
    customers = list(data["Customer"].values())
    invoices = list(data["Invoice"].values())
    today = AS_OF.isoformat()
    assert any(not c["Active"] for c in customers)
    assert any("PrimaryEmailAddr" not in c for c in customers)
    assert any(i.get("PrivateNote") == "Voided" for i in invoices)
    assert any(i["Balance"] == 0 and i["TotalAmt"] > 0 for i in invoices)  # paid
    assert any(0 < i["Balance"] < i["TotalAmt"] for i in invoices)  # partly paid
    assert any(i["Balance"] == i["TotalAmt"] > 0 and i["DueDate"] < today for i in invoices)
    assert any(i["Balance"] > 0 and i["DueDate"] >= today for i in invoices)  # not yet due
    assert {i["SalesTermRef"]["name"] for i in invoices} >= {"Net 15", "Net 30"}
    assert any(len(i["Line"]) > 3 for i in invoices)
    assert min(i["TxnDate"] for i in invoices) >= "2024-08-30"
    assert len(data["Payment"]) == 1200
    check_consistency(data)


def test_100k_invoices_generate_with_consistent_balances() -> None:
    started = time.perf_counter()
    data = generate_company(GenerateSpec(seed=9, customers=10_000, invoices=100_000,
                                         payments=60_000, as_of=AS_OF))
    elapsed = time.perf_counter() - started
    print(f"\ngenerated 100,000 invoices, 60,000 payments in {elapsed:.2f} s")
    assert len(data["Invoice"]) == 100_000
    assert len(data["Payment"]) == 60_000
    assert len(data["Customer"]) == 10_000
    check_consistency(data)


def test_a_large_company_is_kept_out_of_the_collectors_full_scans() -> None:
    """A full collection of a large company's objects stops this one-process server for
    half a second (every realm's requests then reach the throttle together, late); after
    a large company is created its objects are in the permanent generation, which the
    collector does not scan. A small company (most tests) leaves the collector alone."""
    box = Sandbox(SandboxOptions())
    frozen = gc.get_freeze_count()
    box.create_company(GenerateSpec(seed=3, customers=20, invoices=60, payments=20))
    assert gc.get_freeze_count() == frozen
    box.create_company(GenerateSpec(seed=3, customers=1_000, invoices=LARGE_COMPANY_ROWS - 1_500,
                                    payments=500, as_of=AS_OF))
    assert gc.get_freeze_count() - frozen > LARGE_COMPANY_ROWS * 5  # every row's objects
