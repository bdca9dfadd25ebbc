"""`sync.completed`: rows published this run (a segment read twice counts once) apart
from the totals in scope (QBO's counts of each fully read segment)."""
from __future__ import annotations

from types import SimpleNamespace

from clientsynq.sync.engine.reporting import run_counts, run_totals

PLANNED = SimpleNamespace(modes={"Customer": "full", "Invoice": "full", "Payment": "incremental"})
ROWS = {"Customer_active": ("Customer", 1000), "Customer_active#reread": ("Customer", 1001),
        "Customer_balances": ("Customer", 40), "Invoice_recent": ("Invoice", 700),
        "Invoice_unpaid": ("Invoice", 20), "Invoice_paid_late": ("Invoice", 3),
        "Payment_cdc": ("Payment", 12)}
STATES = {"Customer_active": {"entity": "Customer", "counted": 1000},
          "Customer_active#reread": {"entity": "Customer", "counted": 1001},
          "Invoice_recent": {"entity": "Invoice", "counted": 700},
          "Invoice_unpaid": {"entity": "Invoice", "counted": 20},
          "Invoice_paid_late": {"entity": "Invoice", "counted": 9},
          "Payment_cdc": {"entity": "Payment"}}


def test_a_reread_segment_counts_once_and_balance_rereads_are_not_customers_synced():
    assert run_counts(ROWS) == {"Customer": 1001, "Invoice": 723, "Payment": 12}


def test_totals_are_qbos_counts_of_full_entities_with_the_narrowed_segment_as_kept():
    assert run_totals(STATES, ROWS, PLANNED) == {"Customer": 1001, "Invoice": 723}
