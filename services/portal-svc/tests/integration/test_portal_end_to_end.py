"""portal-svc on everything real: Kafka, the MongoDB-wire server, the QBO sandbox, auth-svc,
sync-svc's worker, portal's worker, its HTTP app, and the gateway in front.

One stack for the module (a business connected through OAuth, its initial sync done);
the tests then read it through the gateway as a client would.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from clientsynq.portal.adapters.kafka_lag import KafkaGroupLag
from clientsynq.portal.projections.handlers import TOPICS
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery, PaymentQuery
from clientsynq.portal.rebuild import rebuild
from clientsynq.portal.services import queries
from portal_builders import an_invoice, version
from portal_harness import wait_until
from portal_openapi_check import check_response
from portal_stack import PortalStack, portal_stack

pytestmark = pytest.mark.integration
COMPANY = {"customers": 24, "invoices": 70, "payments": 30, "seed": 23}


@pytest.fixture(scope="module")
def stack(infra: Any, mongo_client: Any, qbo_sandbox: Any,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalStack]:
    with portal_stack(infra, mongo_client, qbo_sandbox, tmp_path_factory.mktemp("gw"),
                      **COMPANY) as built:
        wait_until(lambda: queries.get_sync_status(built.read, built.tenant_id)
                   .state.last_completed is not None, 240, "the initial sync completed")
        # sync.completed travels on its own topic: the snapshots before it may still be on
        # their way into the read models. Caught up means the group's lag is zero.
        lag = KafkaGroupLag(built.conn, "portal-projections", TOPICS)
        try:
            wait_until(lambda: sum(lag.per_topic().values()) == 0, 240,
                       "the projections caught up")
        finally:
            lag.close()
        yield built


def _all(read_page: Any) -> list[Any]:
    items, cursor = [], None
    while True:
        page = read_page(cursor)
        items += list(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def _api_all(stack: PortalStack, path: str, token: str) -> list[dict[str, Any]]:
    rows, url = [], f"{stack.gateway_url}{path}"
    while url:
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200, response.text
        check_response("GET", path, 200, response.headers["Content-Type"], response.json())
        rows += response.json()["data"]
        nxt = response.json()["links"]["next"]
        url = f"{stack.gateway_url}{nxt}" if nxt else ""
    return rows


def _invoices(stack: PortalStack) -> list[Any]:
    return _all(lambda c: stack.read.invoices.page(stack.tenant_id,
                                                   InvoiceQuery(cursor=c, limit=200),
                                                   datetime.now(UTC).date()))


def test_an_initial_sync_fills_the_read_models_with_the_sandbox_in_scope_data(stack):
    from sync_harness import company_rows, expected_ids

    customers, invoice_ids, payment_ids = expected_ids(stack.tenant)
    held = _invoices(stack)
    assert {i.id for i in held} == invoice_ids
    payments = _all(lambda c: stack.read.payments.page(stack.tenant_id,
                                                       PaymentQuery(cursor=c, limit=200)))
    assert {p.id for p in payments} == payment_ids
    status = queries.get_sync_status(stack.read, stack.tenant_id)
    assert status.customers_synced == len(customers)
    sandbox_invoices = {i["Id"]: i for i in company_rows(stack.tenant, "Invoice")}
    assert sum((i.balance for i in held), Decimal(0)) == sum(
        (Decimal(str(sandbox_invoices[i]["Balance"])) for i in invoice_ids), Decimal(0))
    assert sum((i.total for i in held), Decimal(0)) == sum(
        (Decimal(str(sandbox_invoices[i]["TotalAmt"])) for i in invoice_ids), Decimal(0))
    token = stack.token()
    api_customers = _api_all(stack, "/api/v1/customers?limit=7", token)
    assert {c["id"] for c in api_customers} == customers
    for customer in api_customers:  # the customer balance is the sum of its invoices held
        owed = sum((i.balance for i in held if i.customer_id == customer["id"]
                    and not i.voided), Decimal(0))
        assert Decimal(customer["balance"]) == owed


def test_the_api_through_the_gateway_pages_everything_once(stack):
    token = stack.token()
    rows = _api_all(stack, "/api/v1/invoices?limit=9", token)
    assert len(rows) == len({r["id"] for r in rows}) == len(_invoices(stack))
    sync = requests.get(f"{stack.gateway_url}/api/v1/sync", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})
    assert sync.json()["last_completed"]["mode"] == "full"
    assert sync.headers["RateLimit-Policy"]


def test_pages_skip_and_repeat_nothing_while_invoices_arrive(stack):
    token = stack.token()
    before = {i.id for i in _invoices(stack)}
    seen: list[str] = []
    extras: list[Any] = []
    url = f"{stack.gateway_url}/api/v1/invoices?limit=10"
    while url:
        body = requests.get(url, headers={"Authorization": f"Bearer {token}"},
                            timeout=30).json()
        seen += [r["id"] for r in body["data"]]
        for txn in ("2099-01-01", "2026-01-15", "1990-01-01"):  # newest, middle, oldest
            extra = an_invoice(f"x{uuid.uuid4().hex[:8]}", tenant_id=stack.tenant_id, txn=txn,
                               customer_id="no-such-customer")
            stack.read.invoices.apply(extra, version())
            extras.append(extra)
        url = f"{stack.gateway_url}{body['links']['next']}" if body["links"]["next"] else ""
    for extra in extras:  # leave the read model as the sync made it, for the next tests
        gone = replace(extra, deleted=True, updated_at=extra.updated_at + timedelta(days=1))
        stack.read.invoices.apply(gone, version(gone.updated_at, 999_999_999_999))
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_every_route_refuses_another_business(stack):
    invoice = _invoices(stack)[0]
    payment = _all(lambda c: stack.read.payments.page(stack.tenant_id, PaymentQuery(cursor=c)))
    customer = _all(lambda c: stack.read.customers.page(stack.tenant_id, CustomerQuery(cursor=c)))
    stranger_email = f"s-{uuid.uuid4().hex[:8]}@example.com"
    requests.post(f"{stack.tenant.auth.base_url}/auth/v1/signup", timeout=30, json={
        "business_name": "Stranger Co", "password": "correct horse battery staple",
        "email": stranger_email})  # 202 (one-step answers as confirmation does): sign in
    other = requests.post(f"{stack.tenant.auth.base_url}/auth/v1/login", timeout=30, json={
        "email": stranger_email, "password": "correct horse battery staple"}).json()
    stack.tenant.auth.set_plan(other["tenant_id"], "pro")
    stranger = requests.post(f"{stack.tenant.auth.base_url}/auth/v1/token/refresh", timeout=30,
                             json={"refresh_token": other["refresh_token"]}).json()
    headers = {"Authorization": f"Bearer {stranger['access_token']}"}
    for path in (f"/api/v1/invoices/{invoice.id}", f"/api/v1/customers/{customer[0].id}",
                 f"/api/v1/payments/{payment[0].id}"):
        assert requests.get(stack.gateway_url + path, headers=headers,
                            timeout=30).status_code == 404, path
    listed = requests.get(f"{stack.gateway_url}/api/v1/invoices", headers=headers, timeout=30)
    assert listed.json()["data"] == []
    paid = requests.post(f"{stack.gateway_url}/api/v1/payments", headers=headers, timeout=30,
                         json={"customer_id": invoice.customer_id, "amount": "1.00",
                               "applied_to": [{"invoice_id": invoice.id, "amount": "1.00"}]})
    assert paid.status_code in (404, 409)  # stranger: not its customer, or not connected


def test_internal_routes_do_not_answer_through_the_gateway(stack):
    auth = stack.tenant.auth
    path = f"/internal/v1/tenants/{stack.tenant_id}/qbo/access-token"
    direct = requests.get(auth.base_url + path, headers=auth.service_headers(), timeout=30)
    assert direct.status_code == 200
    through = requests.get(stack.gateway_url + path, headers=auth.service_headers(), timeout=30)
    assert through.status_code == 404 and "access_token" not in through.text
    assert requests.get(stack.gateway_url + "/metrics", timeout=30).status_code == 404
    assert requests.get(stack.portal_url + "/metrics", timeout=30).status_code == 200
    me = requests.get(f"{stack.gateway_url}/auth/v1/me", timeout=30,
                      headers={"Authorization": f"Bearer {stack.token()}"})
    assert me.status_code == 200  # auth-svc's public routes do answer through it


def test_a_payment_recorded_in_the_sandbox_reaches_the_read_model(stack):
    today = datetime.now(UTC).date()
    target = next(i for i in _invoices(stack) if i.balance > Decimal("2.00") and not i.voided
                  and i.customer_id is not None and i.balance == i.total)
    before = queries.get_customer(stack.read, stack.tenant_id, target.customer_id).balance
    amount = (target.balance / 2).quantize(Decimal("0.01"))
    stack.tenant.control.change(
        stack.tenant.realm_id, "Payment", operation="create", TxnDate=today.isoformat(),
        CustomerRef={"value": target.customer_id}, TotalAmt=float(amount),
        Line=[{"Amount": float(amount), "LinkedTxn": [{"TxnId": target.id,
                                                       "TxnType": "Invoice"}]}])
    token = stack.token()
    sync_now = requests.post(f"{stack.gateway_url}/api/v1/sync", timeout=30, headers={
        "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
    assert sync_now.status_code == 202, sync_now.text

    def reflected() -> bool:
        """The invoice's new balance and the payment itself: they come as two events, in
        either order, so the test waits for both rather than reading one before the other."""
        detail = queries.get_invoice(stack.read, stack.tenant_id, target.id)
        return detail.invoice.balance == target.balance - amount and \
            any(p.total == amount for p in detail.payments)
    wait_until(reflected, 180, "the payment projected")
    detail = queries.get_invoice(stack.read, stack.tenant_id, target.id)
    expected = "overdue" if target.due_date and target.due_date < today else "partially_paid"
    assert detail.status == expected
    assert any(p.total == amount for p in detail.payments)
    after = queries.get_customer(stack.read, stack.tenant_id, target.customer_id).balance
    assert after == before - amount


def test_a_rebuild_from_kafka_gives_the_same_read_models(stack):
    def snapshot(db_name: str) -> dict[str, list[dict[str, Any]]]:
        db = stack.store.base.client[db_name]
        return {name: sorted((_stable(doc) for doc in db[name].find({
            "tenant_id": stack.tenant_id, "_id": {"$not": {"$regex": ":x"}}})),
            key=lambda d: str(d["_id"]))
            for name in ("invoices", "customers", "payments", "connections",
                         "invoice_list_rows", "invoice_list_days", "invoice_search")}
    before_name = stack.store.active_name()
    before = snapshot(before_name)
    result = rebuild(stack.worker.worker.deps, follow_seconds=0)
    assert stack.store.active_name() == result.new != before_name
    after = snapshot(result.new)
    assert after == before
    assert len(after["invoices"]) == len(before["invoices"]) > 0


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    """Documents compared as the read model holds them (no driver-added fields)."""
    return {k: v for k, v in doc.items() if not k.startswith("_outbox")}


def test_freshness_was_measured(stack):
    from prometheus_client import REGISTRY
    count = REGISTRY.get_sample_value("clientsynq_portal_readmodel_freshness_seconds_count",
                                      {"projection": "invoices"})
    assert count and count > 0


def test_an_enterprise_api_key_reads_within_its_scopes_and_a_revoked_one_stops(stack):
    auth, tid = stack.tenant.auth, stack.tenant_id
    auth.set_plan(tid, "enterprise")
    try:
        owner = {"Authorization": f"Bearer {stack.token()}"}
        created = requests.post(f"{stack.gateway_url}/auth/v1/tenants/{tid}/api-keys",
                                headers=owner, timeout=30,
                                json={"name": "ERP", "scopes": ["invoices:read"]}).json()
        key = {"Authorization": f"Bearer {created['key']}"}
        invoices = requests.get(f"{stack.gateway_url}/api/v1/invoices", headers=key, timeout=30)
        assert invoices.status_code == 200 and invoices.json()["data"]
        customers = requests.get(f"{stack.gateway_url}/api/v1/customers", headers=key,
                                 timeout=30)
        assert customers.status_code == 403
        bad = {"Authorization": f"Bearer {created['key']}x"}
        assert requests.get(f"{stack.gateway_url}/api/v1/invoices", headers=bad,
                            timeout=30).status_code == 401
    finally:
        auth.set_plan(tid, "pro")


def test_a_pro_invoice_is_created_in_quickbooks_and_its_command_settles(stack):
    customer = _all(lambda c: stack.read.customers.page(stack.tenant_id,
                                                        CustomerQuery(cursor=c)))[0]
    headers = {"Authorization": f"Bearer {stack.token()}", "Idempotency-Key": "create-1"}
    body = {"customer_id": customer.id, "lines": [{"description": "Pond pump",
                                                   "amount": "123.45"}]}
    created = requests.post(f"{stack.gateway_url}/api/v1/invoices", json=body, headers=headers,
                            timeout=30)
    assert created.status_code == 202, created.text
    again = requests.post(f"{stack.gateway_url}/api/v1/invoices", json=body, headers=headers,
                          timeout=30)
    assert again.json()["id"] == created.json()["id"]
    command_url = f"{stack.gateway_url}{created.json()['links']['self']}"

    def settled() -> bool:
        state = requests.get(command_url, timeout=30, headers={
            "Authorization": headers["Authorization"]}).json()["state"]
        return state != "pending"
    wait_until(settled, 120, "the command settled")
    command = requests.get(command_url, timeout=30,
                           headers={"Authorization": headers["Authorization"]}).json()
    assert command["state"] == "succeeded", command
    wait_until(lambda: stack.read.invoices.get(stack.tenant_id, command["entity_id"])
               is not None, 120, "the new invoice projected")
    held = stack.read.invoices.get(stack.tenant_id, command["entity_id"])
    assert held is not None and held.total == Decimal("123.45")
    sandbox_copy = stack.tenant.control.entity(stack.tenant.realm_id, "Invoice",
                                               command["entity_id"])
    assert Decimal(str(sandbox_copy["TotalAmt"])) == Decimal("123.45")


def test_a_logged_out_access_token_is_refused_within_seconds(stack):
    """Issue 12, finding 3: portal's verifier polls auth-svc's ended sessions, so logging
    out ends access to the API within seconds, not at the token's expiry."""
    auth_url = stack.tenant.auth.base_url
    email, password = f"owner-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery"
    assert requests.post(f"{auth_url}/auth/v1/signup", timeout=30, json={
        "business_name": "Acme Logout", "password": password,
        "email": email}).status_code in (201, 202)  # 202: one-step answers as confirmation
    signed = requests.post(f"{auth_url}/auth/v1/login", timeout=30,
                           json={"email": email, "password": password})
    assert signed.status_code == 200, signed.text
    kept = requests.post(f"{auth_url}/auth/v1/login", timeout=30,
                         json={"email": email, "password": password}).json()

    def status(token: str) -> int:
        return requests.get(f"{stack.gateway_url}/api/v1/customers", timeout=30,
                            headers={"Authorization": f"Bearer {token}"}).status_code

    ended = signed.json()
    assert status(ended["access_token"]) == 200
    assert requests.post(f"{auth_url}/auth/v1/logout", timeout=30, json={
        "refresh_token": ended["refresh_token"]}).status_code == 204
    wait_until(lambda: status(ended["access_token"]) == 401, 15,
               "portal-svc refusing the ended session's access token")
    assert status(kept["access_token"]) == 200  # the other sign-in goes on
