"""The query endpoint: paging, COUNT(*), filters, ordering and Intuit's parse errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle


@pytest.fixture(scope="module")
def big(sandbox: SandboxHandle) -> dict[str, Any]:
    """A company with 2,500 invoices and a connected app, shared by this module's tests."""
    control = sandbox.control
    app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    realm = control.create_company(customers=300, invoices=2500, payments=900, seed=11)
    tokens = control.connect(app["client_id"], realm["realm_id"])
    return {"realm": realm["realm_id"], "token": tokens["access_token"], "base": sandbox.base_url}


def run(big: dict[str, Any], statement: str, method: str = "GET") -> requests.Response:
    url = f"{big['base']}/v3/company/{big['realm']}/query"
    headers = {"Authorization": f"Bearer {big['token']}", "Accept": "application/json"}
    if method == "POST":
        return requests.post(url, data=statement, timeout=30, params={"minorversion": 70},
                             headers={**headers, "Content-Type": "application/text"})
    return requests.get(url, params={"query": statement}, headers=headers, timeout=30)


def test_paging_2500_invoices_returns_each_exactly_once(big: dict[str, Any]) -> None:
    seen: list[str] = []
    start = 1
    while True:
        body = run(big, f"SELECT * FROM Invoice STARTPOSITION {start} MAXRESULTS 1000").json()
        page = body["QueryResponse"].get("Invoice", [])
        if not page:
            assert body["QueryResponse"] == {}
            break
        assert body["QueryResponse"]["startPosition"] == start
        assert body["QueryResponse"]["maxResults"] == len(page)
        seen += [invoice["Id"] for invoice in page]
        start += len(page)
    assert len(seen) == 2500
    assert len(set(seen)) == 2500
    assert seen == sorted(seen, key=int)


def test_count_matches_the_rows_and_default_page_is_100(big: dict[str, Any]) -> None:
    count = run(big, "SELECT COUNT(*) FROM Invoice").json()["QueryResponse"]["totalCount"]
    default_page = run(big, "select * from Invoice").json()["QueryResponse"]
    too_many = run(big, "select * from Invoice maxresults 5000")
    assert count == 2500
    assert len(default_page["Invoice"]) == 100
    error = too_many.json()["Fault"]["Error"][0]
    assert too_many.status_code == 400 and error["code"] == "4001"
    assert "value 5000 is too large. Max allowed value is 1000" in error["Detail"]


def test_customers_default_to_active_and_active_false_finds_the_others(
        big: dict[str, Any]) -> None:
    def total(where: str) -> int:
        statement = f"SELECT COUNT(*) FROM Customer {where}"
        return run(big, statement).json()["QueryResponse"]["totalCount"]
    active, inactive = total(""), total("WHERE Active = false")
    both = total("WHERE Active IN (true, false)")
    assert active + inactive == both == 300
    assert inactive > 0
    rows = run(big, "SELECT * FROM Customer WHERE Active = false MAXRESULTS 1000").json()
    assert all(c["Active"] is False for c in rows["QueryResponse"]["Customer"])


def test_last_updated_time_filter_and_descending_order(big: dict[str, Any]) -> None:
    rows = run(big, "SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime DESC "
                    "MAXRESULTS 1000").json()["QueryResponse"]["Invoice"]
    times = [r["MetaData"]["LastUpdatedTime"] for r in rows]
    assert times == sorted(times, reverse=True)
    pivot = times[500]
    newer = run(big, f"SELECT COUNT(*) FROM Invoice WHERE MetaData.LastUpdatedTime > "
                     f"'{pivot}'").json()["QueryResponse"]["totalCount"]
    assert newer == sum(1 for t in times if t > pivot)


def test_where_with_and_like_in_and_ranges(big: dict[str, Any]) -> None:
    invoices = run(big, "SELECT * FROM Invoice WHERE Balance > '0' AND DueDate < '2999-01-01' "
                        "AND TxnDate >= '2000-01-01' MAXRESULTS 1000").json()
    rows = invoices["QueryResponse"]["Invoice"]
    assert rows and all(r["Balance"] > 0 for r in rows)
    customer = rows[0]["CustomerRef"]["value"]
    mine = run(big, f"SELECT * FROM Invoice WHERE CustomerRef = '{customer}' "
                    "MAXRESULTS 1000").json()["QueryResponse"]["Invoice"]
    assert all(r["CustomerRef"]["value"] == customer for r in mine)
    doc = rows[0]["DocNumber"]
    by_doc = run(big, f"SELECT * FROM Invoice WHERE DocNumber IN ('{doc}', 'nope')").json()
    assert [r["DocNumber"] for r in by_doc["QueryResponse"]["Invoice"]] == [doc]
    like = run(big, "SELECT * FROM Customer WHERE DisplayName LIKE '%1' MAXRESULTS 1000").json()
    assert all(c["DisplayName"].endswith("1") for c in like["QueryResponse"]["Customer"])


def test_post_with_application_text_and_other_entities(big: dict[str, Any]) -> None:
    payments = run(big, "select * from Payment where TotalAmt > 0", method="POST").json()
    info = run(big, "SELECT * FROM CompanyInfo").json()["QueryResponse"]["CompanyInfo"]
    terms = run(big, "SELECT * FROM Term").json()["QueryResponse"]["Term"]
    assert payments["QueryResponse"]["Payment"]
    assert info[0]["CompanyName"]
    assert {"Net 15", "Net 30"} <= {t["Name"] for t in terms}


@pytest.mark.parametrize("statement", [
    "SELECT FROM Invoice", "SELEC * FROM Invoice", "SELECT * FROM Invoice WHERE",
    "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'", "SELECT * FROM Invoices",
    "SELECT * FROM Invoice ORDERBY", "SELECT * FROM Invoice MAXRESULTS ten", "",
    "SELECT * FROM Invoice WHERE Id = 'unterminated",
])
def test_malformed_queries_get_intuits_parse_error(big: dict[str, Any], statement: str) -> None:
    response = run(big, statement)
    fault = response.json()["Fault"]
    assert response.status_code == 400
    assert fault["type"] == "ValidationFault"
    assert fault["Error"][0]["code"] == "4000"
    assert fault["Error"][0]["Detail"].startswith("QueryParserError")


def test_an_unqueryable_property_is_a_validation_error(big: dict[str, Any]) -> None:
    response = run(big, "SELECT * FROM Invoice WHERE Colour = 'red'")
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "4001"


def test_a_control_api_change_is_visible_to_the_next_query(
        big: dict[str, Any], control: SandboxControl) -> None:
    before = run(big, "SELECT COUNT(*) FROM Customer").json()["QueryResponse"]["totalCount"]
    control.change(big["realm"], "Customer", operation="create", DisplayName="Fresh Face Ltd")
    after = run(big, "SELECT COUNT(*) FROM Customer").json()["QueryResponse"]["totalCount"]
    assert after == before + 1
