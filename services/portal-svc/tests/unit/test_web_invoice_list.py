"""The invoice list: filters in plain words (open, overdue, paid), search by number or
customer, and pages that neither skip nor repeat an invoice."""
from __future__ import annotations

import re

from portal_builders import TENANT, an_invoice, version
from portal_web_harness import Web


def listed(page: str) -> list[str]:
    return re.findall(r'data-invoice="([^"]+)"', page)


def a_business_with_invoices() -> Web:
    web = Web()  # today is 2026-06-15
    web.read.invoices.apply(an_invoice("1", due="2026-07-01", customer_name="Ann"), version())
    web.read.invoices.apply(an_invoice("2", due="2026-06-01", customer_name="Bob"), version())
    web.read.invoices.apply(an_invoice("3", balance="0", customer_name="Ann"), version())
    web.sign_in(TENANT)
    return web


def test_each_filter_shows_what_its_name_says():
    web = a_business_with_invoices()
    assert sorted(listed(web.get("/invoices?status=open").data.decode())) == ["1", "2"]
    assert listed(web.get("/invoices?status=overdue").data.decode()) == ["2"]
    assert listed(web.get("/invoices?status=paid").data.decode()) == ["3"]
    assert sorted(listed(web.get("/invoices?status=whatever").data.decode())) == ["1", "2", "3"]


def test_search_finds_by_number_or_customer():
    web = a_business_with_invoices()
    assert sorted(listed(web.get("/invoices?q=ann").data.decode())) == ["1", "3"]
    assert listed(web.get("/invoices?q=2").data.decode()) == ["2"]


def test_pages_cover_every_invoice_once():
    web = Web()
    for n in range(60):
        web.read.invoices.apply(an_invoice(str(n + 1), txn=f"2026-05-{n % 28 + 1:02d}"),
                                version())
    web.sign_in(TENANT)
    seen, url = [], "/invoices"
    while url:
        page = web.get(url).data.decode()
        seen += listed(page)
        found = re.search(r'<a href="\?([^"]+)">Next page</a>', page)
        url = f"/invoices?{found.group(1).replace('&amp;', '&')}" if found else ""
    assert sorted(seen, key=int) == [str(n + 1) for n in range(60)]
