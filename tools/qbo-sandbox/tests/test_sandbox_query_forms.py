"""Every query form python-quickbooks' ListMixin (mixins.py) builds, sent by the unmodified
library, plus the spellings other SDKs send (node-quickbooks, Intuit's Java and .NET)."""

from __future__ import annotations

from typing import Any

import pytest

quickbooks = pytest.importorskip("quickbooks")


def test_all_with_its_defaults_order_by_and_paging(qb: Any) -> None:
    from quickbooks.objects.customer import Customer

    first = Customer.all(qb=qb)  # SELECT * FROM Customer MAXRESULTS 100
    assert first and all(c.Active for c in first)
    by_name = Customer.all(order_by="DisplayName", qb=qb)  # ... ORDER BY DisplayName ...
    names = [c.DisplayName for c in by_name]
    assert names == sorted(names)
    descending = Customer.all(order_by="DisplayName DESC", start_position=2, max_results=3,
                              qb=qb)
    assert [c.DisplayName for c in descending] == sorted(names, reverse=True)[1:4]


def test_item_all_selects_star_and_sku(qb: Any) -> None:
    from quickbooks.objects.item import Item

    items = Item.all(qb=qb)  # SELECT *, Sku FROM Item MAXRESULTS 100
    assert items and all(i.Sku for i in items)


def test_filter_with_strings_booleans_and_escaped_quotes(qb: Any) -> None:
    from quickbooks.objects.customer import Customer

    created = Customer()
    created.DisplayName = "O'Neil Plumbing"
    created.save(qb=qb)
    found = Customer.filter(DisplayName="O'Neil Plumbing", qb=qb)  # 'O\'Neil Plumbing'
    assert [c.Id for c in found] == [created.Id]
    active = Customer.filter(Active=True, qb=qb)  # Active = True (Python's spelling)
    inactive = Customer.filter(Active=False, qb=qb)
    assert active and inactive
    assert not {c.Id for c in active} & {c.Id for c in inactive}
    ordered = Customer.filter(Active=True, order_by="Id DESC", max_results=5, qb=qb)
    ids = [int(c.Id) for c in ordered]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5


def test_choose_with_strings_and_numbers(qb: Any) -> None:
    from quickbooks.objects.invoice import Invoice

    quoted = Invoice.choose(["1", "2", "3"], qb=qb)  # Id in ('1', '2', '3')
    bare = Invoice.choose([1, 2, 3], qb=qb)  # Id in (1, 2, 3)
    assert sorted(i.Id for i in quoted) == sorted(i.Id for i in bare) == ["1", "2", "3"]
    by_doc = Invoice.choose(["1001", "1002"], field="DocNumber", qb=qb)
    assert sorted(i.DocNumber for i in by_doc) == ["1001", "1002"]


def test_where_count_and_raw_query(qb: Any) -> None:
    from quickbooks.objects.invoice import Invoice

    total = Invoice.count(qb=qb)  # SELECT COUNT(*) FROM Invoice (trailing space)
    open_count = Invoice.count("Balance > '0'", qb=qb)
    assert 0 < open_count <= total == 60
    rows = Invoice.where("TotalAmt >= 10.5 AND MetaData.LastUpdatedTime > '2000-01-01'",
                         order_by="MetaData.LastUpdatedTime", start_position=1, max_results=20,
                         qb=qb)
    assert rows and all(r.TotalAmt >= 10.5 for r in rows)
    raw = Invoice.query("SELECT * FROM Invoice WHERE DocNumber = '1001'", qb=qb)
    assert [r.DocNumber for r in raw] == ["1001"]


@pytest.mark.parametrize("statement", [
    "select * from customer startposition 1 maxresults 1000",  # node-quickbooks
    "select * from Customer where DisplayName like '%a%'",
    "SELECT Id, DisplayName FROM Customer WHERE Active = true ORDERBY DisplayName ASC",
    "Select * From Customer Where Metadata.LastUpdatedTime > '2000-01-01T00:00:00-08:00'",
    "SELECT * FROM Customer WHERE Id IN ('1','2') ORDERBY Id",
    "SELECT * FROM Customer;",
])
def test_other_sdk_spellings(api: Any, statement: str) -> None:
    answer = api.query(statement)
    assert answer.status_code == 200, answer.text
    assert answer.json()["QueryResponse"]["Customer"]
