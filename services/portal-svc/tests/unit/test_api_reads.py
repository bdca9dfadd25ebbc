"""GET /api/v1: filters, pages, ETags, derived values, and a client held to its customer."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from portal_api_harness import Api, seeded_api
from portal_builders import T0, an_invoice, version

TENANT = "tenant-a"


@pytest.fixture
def api() -> Iterator[Api]:
    yield from seeded_api(TENANT)


def test_invoices_are_filtered_by_status_and_carry_the_status_derived_today(api: Api):
    token = api.token(TENANT)
    body = api.call("GET", "/api/v1/invoices?status=overdue,partially_paid", token).get_json()
    assert {(i["id"], i["status"]) for i in body["data"]} == {("102", "overdue"),
                                                              ("103", "partially_paid")}
    paid = api.call("GET", "/api/v1/invoices?status=paid", token).get_json()["data"]
    assert [(i["id"], i["balance"], i["amount_paid"]) for i in paid] == [
        ("104", "0.00", "100.00")]


def test_invoices_search_by_number_or_customer_name(api: Api):
    token = api.token(TENANT)
    by_name = api.call("GET", "/api/v1/invoices?q=c2", token).get_json()["data"]
    assert {i["id"] for i in by_name} == {"103", "104"}
    assert [i["id"] for i in api.call("GET", "/api/v1/invoices?q=101", token)
            .get_json()["data"]] == ["101"]


def test_pages_follow_the_cursor_to_the_end(api: Api):
    token = api.token(TENANT)
    seen, url = [], "/api/v1/invoices?limit=3"
    while url:
        body = api.call("GET", url, token).get_json()
        seen += [i["id"] for i in body["data"]]
        url = body["links"]["next"]
    assert sorted(seen) == ["101", "102", "103", "104"]


def test_a_read_answers_304_to_its_own_etag(api: Api):
    token = api.token(TENANT)
    first = api.call("GET", "/api/v1/invoices/101", token)
    assert first.status_code == 200 and first.headers["ETag"]
    again = api.call("GET", "/api/v1/invoices/101", token,
                     headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_invoice_lists_its_lines_and_payments(api: Api):
    body = api.call("GET", "/api/v1/invoices/103", api.token(TENANT)).get_json()
    assert body["lines"][0]["amount"] == "100.00"
    assert body["payments"] == [{"id": "501", "txn_date": "2026-06-10", "amount": "70.00",
                                 "method": None, "reference": None}]


def test_customers_show_the_balance_of_their_open_invoices(api: Api):
    body = api.call("GET", "/api/v1/customers", api.token(TENANT)).get_json()
    assert [(c["id"], c["balance"], c["overdue_invoices"]) for c in body["data"]] == [
        ("1", "150.00", 1), ("2", "30.00", 0)]


def test_sync_status_counts_the_active_customers_held(api: Api):
    body = api.call("GET", "/api/v1/sync", api.token(TENANT)).get_json()
    assert body["customers_synced"] == 2 and body["running"] is None
    connection = api.call("GET", "/api/v1/connection", api.token(TENANT)).get_json()
    assert (connection["status"], connection["company_name"]) == ("connected",
                                                                  "Sandbox Company")


def test_a_portal_client_reads_only_its_own_customers_records(api: Api):
    token = api.token(TENANT, customer_id="2")
    invoices = api.call("GET", "/api/v1/invoices", token).get_json()["data"]
    assert {i["id"] for i in invoices} == {"103", "104"}
    assert api.call("GET", "/api/v1/invoices/101", token).status_code == 404
    assert api.call("GET", "/api/v1/customers/1", token).status_code == 404
    assert [c["id"] for c in api.call("GET", "/api/v1/customers", token)
            .get_json()["data"]] == ["2"]
    assert api.call("GET", "/api/v1/connection", token).status_code == 403


@pytest.mark.parametrize("query", [
    "status=late", "limit=0", "limit=201", "due_before=tomorrow", "cursor=%%%", "stauts=paid",
    "status=paid&status=open", "updated_since=2026-01-01T00:00:00",
])
def test_a_bad_query_is_a_400_problem(api: Api, query: str):
    response = api.call("GET", f"/api/v1/invoices?{query}", api.token(TENANT))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_list_page_served_again_changes_with_the_next_write_and_the_next_day(api: Api):
    """Pages are kept under the tenant's list version and today's date (`api/page_cache`)."""
    token = api.token(TENANT)
    path = "/api/v1/invoices?status=open"
    first = api.call("GET", path, token)
    assert [(i["id"], i["due_date"]) for i in first.get_json()["data"]] == [("101", "2026-07-01")]
    assert api.call("GET", path, token).data == first.data
    later = T0 + timedelta(hours=1)
    api.read.invoices.apply(an_invoice("101", tenant_id=TENANT, balance="100.00",
                                       due="2026-07-10", customer_name="C1", updated_at=later),
                            version(later))
    changed = api.call("GET", path, token, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert [(i["id"], i["due_date"]) for i in changed.get_json()["data"]] == [
        ("101", "2026-07-10")]
    api.clock.now = datetime(2026, 7, 11, 12, tzinfo=UTC)  # overdue now, nothing written
    assert api.call("GET", path, token).get_json()["data"] == []
