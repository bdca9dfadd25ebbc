"""python-quickbooks (with intuit-oauth) pointed at the sandbox cannot tell the difference."""

from __future__ import annotations

from typing import Any

import pytest

quickbooks = pytest.importorskip("quickbooks")


def test_python_quickbooks_reads_queries_and_writes(qb: Any) -> None:
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
    from quickbooks.objects.invoice import Invoice

    customers = Customer.all(qb=qb, max_results=1000)
    assert customers and all(c.Active for c in customers)
    assert Invoice.count(qb=qb) == 60
    invoice = Invoice()
    line = SalesItemLine()
    line.Amount = 42.0
    line.SalesItemLineDetail = SalesItemLineDetail()
    invoice.Line = [line]
    invoice.CustomerRef = customers[0].to_ref()
    invoice.save(qb=qb, request_id="python-quickbooks-1")
    assert invoice.Id
    fetched = Invoice.get(invoice.Id, qb=qb)
    assert fetched.TotalAmt == fetched.Balance == 42.0


def test_python_quickbooks_cdc_and_stale_object(qb: Any) -> None:
    from datetime import datetime, timedelta

    from quickbooks.cdc import change_data_capture
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.invoice import Invoice

    since = datetime.now() - timedelta(days=29)
    result = change_data_capture([Invoice, Customer], since, qb=qb)
    assert hasattr(result, "Invoice") or hasattr(result, "Customer")
    invoice = Invoice.all(qb=qb, max_results=1)[0]
    stale = Invoice.get(invoice.Id, qb=qb)
    invoice.PrivateNote = "first"
    invoice.save(qb=qb)
    stale.PrivateNote = "second"
    with pytest.raises(QuickbooksException) as caught:
        stale.save(qb=qb)
    assert caught.value.error_code == 5010
