"""Messy options: tied LastUpdatedTime seconds shuffled across pages, both CDC cut orders,
both void shapes, and realistic latency. Each is off by default; each test turns it on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from qbo_sandbox.api_cdc_batch import changed_groups
from qbo_sandbox.control import ControlError
from qbo_sandbox.store import CompanyStore
from qbo_sandbox.testing import SandboxHandle, running_sandbox


def _client(box: SandboxHandle, **company: Any) -> tuple[str, dict[str, str], str]:
    control = box.control
    app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    realm = control.create_company(**company)["realm_id"]
    token = control.connect(app["client_id"], realm)["access_token"]
    return (f"{box.base_url}/v3/company/{realm}",
            {"Authorization": f"Bearer {token}", "Accept": "application/json"}, realm)


@pytest.fixture(scope="module")
def messy() -> Iterator[SandboxHandle]:
    with running_sandbox(tie_fraction=0.6, shuffle_ties=True, void_shape="lines_kept",
                         requests_per_second=1000) as handle:
        yield handle


def _page(base: str, headers: dict[str, str], start: int) -> list[str]:
    statement = ("SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime "
                 f"STARTPOSITION {start} MAXRESULTS 50")
    rows = requests.get(f"{base}/query", params={"query": statement}, headers=headers,
                        timeout=30).json()["QueryResponse"].get("Invoice", [])
    return [r["Id"] for r in rows]


def test_bulk_import_ties_are_shuffled_on_every_page(messy: SandboxHandle) -> None:
    base, headers, _ = _client(messy, customers=40, invoices=600, seed=5)
    rows = requests.get(f"{base}/query", headers=headers, timeout=30, params={
        "query": "SELECT * FROM Invoice MAXRESULTS 1000"}).json()["QueryResponse"]["Invoice"]
    seconds: dict[str, int] = {}
    for row in rows:
        stamp = row["MetaData"]["LastUpdatedTime"]
        seconds[stamp] = seconds.get(stamp, 0) + 1
    assert max(seconds.values()) >= 100  # a bulk import: 100+ rows in one second
    first, again = _page(base, headers, 1), _page(base, headers, 1)
    assert len(first) == len(again) == 50 and first != again  # another slice of the tie
    paged: list[str] = []
    for start in range(1, 601, 50):
        paged += _page(base, headers, start)
    assert len(paged) == 600
    assert len(set(paged)) < 600  # STARTPOSITION paging through ties repeats and misses rows


def test_one_company_can_have_messy_ties_on_a_tidy_sandbox(sandbox: SandboxHandle) -> None:
    """A shared test sandbox stays tidy; a company created with tie_fraction and
    shuffle_ties is messy on its own (what sync-svc's paging tests use)."""
    base, headers, _ = _client(sandbox, customers=10, invoices=300, seed=5,
                               tie_fraction=0.6, shuffle_ties=True)
    tidy_base, tidy_headers, _ = _client(sandbox, customers=10, invoices=300, seed=5)
    first, again = _page(base, headers, 1), _page(base, headers, 1)
    assert len(first) == 50 and first != again
    assert _page(tidy_base, tidy_headers, 1) == _page(tidy_base, tidy_headers, 1)


def test_one_company_can_have_its_own_void_shape_and_cdc_cut(sandbox: SandboxHandle) -> None:
    control = sandbox.control
    realm = control.create_company(customers=3, seed=2, void_shape="lines_kept",
                                   cdc_cut_order="live_first")["realm_id"]
    created = control.change(realm, "invoice", operation="create", PrivateNote="Spring job",
                             CustomerRef={"value": "1"}, Line=[{
                                 "DetailType": "SalesItemLineDetail", "Amount": 20.0,
                                 "SalesItemLineDetail": {"ItemRef": {"value": "1"},
                                                         "Qty": 2, "UnitPrice": 10}}])
    invoice_id = (created.get("Invoice") or created)["Id"]
    control.change(realm, "invoice", invoice_id, operation="void")
    voided = control.entity(realm, "invoice", invoice_id)
    voided = voided.get("Invoice", voided)
    assert voided["PrivateNote"] == "Spring job Voided" and voided["TotalAmt"] == 0
    for bad in ({"void_shape": "shredded"}, {"cdc_cut_order": "newest_first"}):
        with pytest.raises(ControlError):
            control.create_company(customers=1, **bad)


def test_the_lines_kept_void_shape_and_include_void(messy: SandboxHandle) -> None:
    base, headers, _ = _client(messy, customers=5, seed=2)
    line = {"DetailType": "SalesItemLineDetail", "Amount": 20.0,
            "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 10}}
    invoice = requests.post(f"{base}/invoice", headers=headers, timeout=10, json={
        "CustomerRef": {"value": "1"}, "PrivateNote": "Spring job", "Line": [line]}).json()
    invoice = invoice["Invoice"]
    payment = requests.post(f"{base}/payment", headers=headers, timeout=10, json={
        "CustomerRef": {"value": "1"}, "TotalAmt": 20.0, "PrivateNote": "Check 12",
        "Line": [{"Amount": 20.0, "LinkedTxn": [{"TxnId": invoice["Id"],
                                                  "TxnType": "Invoice"}]}]}).json()["Payment"]
    voided = requests.post(f"{base}/payment", headers=headers, timeout=10,
                           params={"operation": "update", "include": "void"},
                           json={"Id": payment["Id"], "SyncToken": payment["SyncToken"]})
    paid = voided.json()["Payment"]
    assert paid["TotalAmt"] == 0 and paid["PrivateNote"] == "Check 12 Voided"
    assert paid["Line"][0]["Amount"] == 0 and paid["Line"][0]["LinkedTxn"]
    current = requests.get(f"{base}/invoice/{invoice['Id']}", headers=headers,
                           timeout=10).json()["Invoice"]
    assert current["Balance"] == 20.0
    gone = requests.post(f"{base}/invoice", headers=headers, timeout=10,
                         params={"operation": "void"},
                         json={"Id": invoice["Id"], "SyncToken": current["SyncToken"]})
    body = gone.json()["Invoice"]
    assert body["PrivateNote"] == "Spring job Voided" and body["TotalAmt"] == 0
    assert body["Line"][0]["SalesItemLineDetail"]["Qty"] == 0


def test_include_void_voids_a_payment_on_the_default_server(api: Any) -> None:
    payment = api.post("payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 9.0}).json()
    voided = api.post("payment", {"Id": payment["Payment"]["Id"], "SyncToken": "0"},
                      operation="update", include="void").json()["Payment"]
    assert voided["TotalAmt"] == 0 and voided["PrivateNote"] == "Voided"


def _cdc_store() -> CompanyStore:
    """700 live invoices changed late and 600 deletions older than most of them."""
    live = {str(n): {"Id": str(n), "MetaData": {
        "LastUpdatedTime": f"2026-11-20T10:{n // 60 % 60:02d}:{n % 60:02d}-08:00"}}
        for n in range(1, 701)}
    deleted = {str(n): {"status": "Deleted", "domain": "QBO", "Id": str(n), "MetaData": {
        "LastUpdatedTime": f"2026-11-20T09:{n // 60 % 60:02d}:{n % 60:02d}-08:00"}}
        for n in range(701, 1301)}
    store = CompanyStore("1", "CDC")
    store.load({"Invoice": live}, {"Invoice": deleted})
    return store


@pytest.mark.parametrize("order", ["oldest_first", "live_first"])
def test_both_cdc_cut_orders(order: str) -> None:
    group = changed_groups(_cdc_store(), ["Invoice"], "2026-11-01T00:00:00Z", order)[0]
    rows = group["Invoice"]
    stubs = [r for r in rows if r.get("status") == "Deleted"]
    assert len(rows) == 1000
    assert rows[:len(rows) - len(stubs)] == [r for r in rows if "status" not in r]
    if order == "oldest_first":
        assert len(stubs) == 600  # every (older) deletion, then the oldest live rows
    else:
        assert len(stubs) == 300  # all 700 live rows first; deletions are cut


def test_cdc_ties_shuffle_within_one_second() -> None:
    store = CompanyStore("1", "Ties")
    store.load({"Customer": {str(n): {"Id": str(n), "MetaData": {
        "LastUpdatedTime": "2026-11-20T10:00:00-08:00"}} for n in range(1, 201)}})
    plain = changed_groups(store, ["Customer"], "2026-11-01T00:00:00Z")[0]["Customer"]
    shuffled = changed_groups(store, ["Customer"], "2026-11-01T00:00:00Z", "oldest_first",
                              random.Random(3))[0]["Customer"]
    assert [r["Id"] for r in plain] == [str(n) for n in range(1, 201)]
    assert [r["Id"] for r in shuffled] != [r["Id"] for r in plain]


def test_realistic_latency_costs_a_base_plus_a_cost_per_row() -> None:
    with running_sandbox(latency_base_ms=100, latency_per_row_ms=2,
                         requests_per_second=1000) as box:
        base, headers, _ = _client(box, customers=10, invoices=200, seed=1)
        assert box.server is not None
        slept: list[float] = []
        box.server.sandbox.faults.sleep = slept.append  # recorded, not waited out
        requests.get(f"{base}/customer/1", headers=headers, timeout=10)
        requests.get(f"{base}/query", headers=headers, timeout=10,
                     params={"query": "SELECT * FROM Invoice MAXRESULTS 200"})
    assert slept == pytest.approx([0.1 + 0.002, 0.1 + 200 * 0.002])


def test_generated_memos_survive_a_lines_kept_void() -> None:
    from datetime import date

    from qbo_sandbox.generator import GenerateSpec, generate_company

    spec = GenerateSpec(seed=5, customers=60, invoices=1000, as_of=date(2026, 11, 1))
    plain = generate_company(spec)["Invoice"].values()
    kept = generate_company(GenerateSpec(**{**spec.__dict__, "void_shape": "lines_kept"}))
    notes = [i.get("PrivateNote") for i in kept["Invoice"].values()]
    assert any(n and n.endswith(" Voided") and n != "Voided" for n in notes)
    assert sum(1 for i in plain if i.get("PrivateNote") not in (None, "Voided")) > 30
