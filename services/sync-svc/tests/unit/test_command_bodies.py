"""Pro commands → QBO bodies: amounts leave unchanged, the portal marker is set."""
from __future__ import annotations

from decimal import Decimal

import pytest
from clientsynq.sync.domain.commands import invoice_body, payment_body, qbo_number


def test_an_invoice_line_keeps_its_exact_amounts():
    body = invoice_body({"customer_id": "3", "lines": [
        {"description": "Hours", "amount": Decimal("240.50"), "item_id": "9",
         "quantity": Decimal("2"), "unit_price": Decimal("120.25")}]})
    line = body["Line"][0]
    assert line["Amount"] == 240.5 and line["SalesItemLineDetail"]["UnitPrice"] == 120.25
    assert line["SalesItemLineDetail"]["ItemRef"] == {"value": "9"}


def test_a_portal_payment_is_marked_and_linked():
    body = payment_body({"customer_id": "3", "amount": Decimal("10.00"), "source": "portal",
                         "method": "card", "applied_to": [{"invoice_id": "130",
                                                           "amount": Decimal("10.00")}]})
    assert body["Line"] == [{"Amount": 10.0, "LinkedTxn": [{"TxnId": "130",
                                                            "TxnType": "Invoice"}]}]
    assert body["PrivateNote"].startswith("Paid through the ClientSynq portal")


def test_an_amount_a_float_cannot_carry_is_refused():
    with pytest.raises(ValueError):
        qbo_number(Decimal("12345678901234567.89"))
