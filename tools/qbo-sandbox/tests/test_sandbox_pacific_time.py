"""Pacific time with daylight saving (option time_zone="pacific"), as QuickBooks writes it.

Offsets follow the date (-08:00 in winter, -07:00 in summer); times without an offset are
read in Pacific time; filters, ORDERBY and CDC compare instants, not strings, so the
repeated hour of November sorts right.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import requests

from qbo_sandbox import timefmt
from qbo_sandbox.api_cdc_batch import changed_groups
from qbo_sandbox.options import SandboxOptions
from qbo_sandbox.query_exec import run_query
from qbo_sandbox.query_parser import parse_query
from qbo_sandbox.store import CompanyStore
from qbo_sandbox.testing import SandboxHandle, running_sandbox

FIRST_130 = "2026-11-01T01:30:00-07:00"  # 08:30 UTC, before the clocks go back
SECOND_110 = "2026-11-01T01:10:00-08:00"  # 09:10 UTC, after: later, though it sorts first


@pytest.fixture(scope="module")
def pacific() -> Iterator[SandboxHandle]:
    with running_sandbox(time_zone="pacific", requests_per_second=1000) as handle:
        yield handle


def test_generated_and_written_times_carry_the_offset_of_their_date(
        pacific: SandboxHandle) -> None:
    control = pacific.control
    app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    realm = control.create_company(customers=30, invoices=400, seed=4,
                                   as_of="2026-11-29")["realm_id"]
    token = control.connect(app["client_id"], realm)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    base = f"{pacific.base_url}/v3/company/{realm}"
    rows = requests.get(f"{base}/query", headers=headers, timeout=30, params={
        "query": "SELECT * FROM Invoice MAXRESULTS 1000"}).json()["QueryResponse"]["Invoice"]
    for row in rows:
        created = row["MetaData"]["CreateTime"]
        expected = timefmt.PACIFIC.utcoffset(
            timefmt.stored_to_datetime(created).replace(tzinfo=None))
        assert timefmt.stored_to_datetime(created).utcoffset() == expected
    offsets = {row["MetaData"]["CreateTime"][-6:] for row in rows}
    assert offsets == {"-07:00", "-08:00"}
    created = requests.post(f"{base}/customer", json={"DisplayName": "Pacific Co"},
                            headers=headers, timeout=10).json()
    now = timefmt.stored_to_datetime(created["Customer"]["MetaData"]["CreateTime"])
    assert now.utcoffset() == timefmt.PACIFIC.utcoffset(now.replace(tzinfo=None))
    assert created["time"][-6:] == created["Customer"]["MetaData"]["CreateTime"][-6:]


def test_a_time_without_offset_is_read_in_pacific_time(pacific: SandboxHandle) -> None:
    with timefmt.zone_context("pacific"):
        assert timefmt.canonical_time("2026-01-15T10:00:00") == "2026-01-15T18:00:00Z"
        assert timefmt.canonical_time("2026-07-15T10:00:00") == "2026-07-15T17:00:00Z"
        assert timefmt.canonical_time("2026-07-15") == "2026-07-15T07:00:00Z"


def _store() -> CompanyStore:
    store = CompanyStore("1", "Fall back")
    store.load({"Customer": {
        "1": {"Id": "1", "DisplayName": "Second", "Active": True,
              "MetaData": {"CreateTime": SECOND_110, "LastUpdatedTime": SECOND_110}},
        "2": {"Id": "2", "DisplayName": "First", "Active": True,
              "MetaData": {"CreateTime": FIRST_130, "LastUpdatedTime": FIRST_130}}}})
    return store


def test_the_repeated_hour_orders_by_instant_in_queries_and_cdc() -> None:
    store = _store()
    ordered = run_query(store, parse_query(
        "SELECT * FROM Customer ORDERBY MetaData.LastUpdatedTime"))["Customer"]
    assert [c["DisplayName"] for c in ordered] == ["First", "Second"]
    later = run_query(store, parse_query(
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2026-11-01T01:20:00-07:00'"))
    assert sorted(c["DisplayName"] for c in later["Customer"]) == ["First", "Second"]
    since = timefmt.canonical_time("2026-11-01T09:00:00Z")
    group = changed_groups(store, ["Customer"], since)[0]
    assert [c["DisplayName"] for c in group["Customer"]] == ["Second"]


def test_pacific_time_is_the_default(api: object) -> None:
    assert SandboxOptions().time_zone == "pacific"
    assert timefmt.offset_text(date(2026, 1, 15), 12) == "-08:00"
    assert timefmt.offset_text(date(2026, 7, 15), 12) == "-07:00"
    with timefmt.zone_context("fixed"):  # the option
        assert timefmt.offset_text(date(2026, 1, 15), 12) == "-07:00"
