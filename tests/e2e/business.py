"""One business as its owner and its client apps see ClientSynq: everything over HTTP through
the gateway (sign-up, OAuth connect, `/api/v1`), and the sandbox company read independently
to say what the portal must show."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from qbo_fixtures import sign_up_owner
from stack import Stack
from waiting import wait_until

# sync-svc's harness (on pyproject's pythonpath) reads the company as the help page scopes
# it; reused, not copied.

PASSWORD = "correct horse battery staple"
ENTITIES = (("customers", "Customer"), ("invoices", "Invoice"), ("payments", "Payment"))


@dataclass
class _AuthView:
    """What sync-svc's harness needs of auth-svc: its base URL and service headers."""

    stack: Stack

    @property
    def base_url(self) -> str:
        return self.stack.urls["auth"]

    def service_headers(self, service: str = "sync-svc") -> dict[str, str]:
        return self.stack.service_headers(service)


@dataclass
class Business:
    stack: Stack
    tenant_id: str
    realm_id: str
    session: requests.Session = field(repr=False)
    refresh_token: str = field(default="", repr=False)

    @property
    def auth(self) -> _AuthView:
        return _AuthView(self.stack)

    @property
    def sandbox(self) -> Any:
        return self.stack.sandbox

    def token(self) -> str:
        """A fresh access token (its plan claim is the business's plan now)."""
        answer = requests.post(f"{self.stack.gateway_url}/auth/v1/token/refresh", timeout=30,
                               json={"refresh_token": self.refresh_token})
        assert answer.status_code == 200, answer.text
        self.refresh_token = answer.json()["refresh_token"]  # rotated: the old one is spent
        return str(answer.json()["access_token"])

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.stack.gateway_url}{path}", headers=headers,
                                timeout=30, **kwargs)

    def all(self, path: str) -> list[dict[str, Any]]:
        """Every row of a list endpoint, following `links.next`."""
        token, rows, url = self.token(), [], f"{self.stack.gateway_url}{path}?limit=200"
        while url:
            answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert answer.status_code == 200, answer.text
            rows += answer.json()["data"]
            nxt = answer.json()["links"]["next"]
            url = f"{self.stack.gateway_url}{nxt}" if nxt else ""
        return rows

    def sync_status(self) -> dict[str, Any]:
        answer = self.api("GET", "/api/v1/sync")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def sign_up_and_connect(stack: Stack, *, plan: str = "pro", customers: int = 15,
                        invoices: int = 40, payments: int = 20, seed: int = 5,
                        connect: bool = True) -> Business:
    """The owner signs up through the gateway (one step on loopback: AUTH_PUBLIC_URL is
    loopback, so no confirmation mail), gets a plan, and connects a new sandbox company."""
    base = stack.gateway_url
    session = requests.Session()
    _, signed = sign_up_owner(base, "Acme Plumbing", http=session, password=PASSWORD)
    tenant_id = signed["tenant_id"]
    if plan != "basic":
        stack.set_plan(tenant_id, plan)
    company = stack.sandbox.control.create_company(customers=customers, invoices=invoices,
                                                   payments=payments, seed=seed)
    business = Business(stack, tenant_id, str(company["realm_id"]), session,
                        signed["refresh_token"])
    if connect:
        connect_company(business)
    return business


def connect_company(business: Business) -> None:
    base = business.stack.gateway_url
    started = business.api("POST", f"/auth/v1/tenants/{business.tenant_id}/qbo/connect")
    assert started.status_code == 200, started.text
    params = business.sandbox.control.authorize(started.json()["authorize_url"], approve=True,
                                                realm_id=business.realm_id)
    callback = business.session.get(f"{base}/auth/v1/qbo/callback", params=params,
                                     allow_redirects=False, timeout=30)
    assert callback.status_code in (302, 303), callback.text


def wait_synced(business: Business, timeout: float = 240) -> dict[str, Any]:
    """Until a full sync has completed and the portal shows exactly the sandbox's data."""
    def completed() -> bool:
        business.stack.assert_alive()
        return business.sync_status()["last_completed"] is not None
    wait_until(completed, timeout, f"{business.tenant_id}'s first sync to complete")
    wait_until(lambda: not portal_differences(business), timeout,
               f"{business.tenant_id}'s portal to equal the sandbox")
    return business.sync_status()


def expected(business: Business) -> dict[str, Any]:
    """The sandbox's in-scope data: ids per entity and invoice totals and balances."""
    from sync_harness import company_rows, expected_ids

    customers, invoice_ids, payment_ids = expected_ids(business)
    invoices = {i["Id"]: i for i in company_rows(business, "Invoice") if i["Id"] in invoice_ids}
    payments = {p["Id"]: p for p in company_rows(business, "Payment") if p["Id"] in payment_ids}
    return {"customers": customers, "invoices": invoice_ids, "payments": payment_ids,
            "invoice_total": sum((Decimal(str(i["TotalAmt"])) for i in invoices.values()),
                                 Decimal(0)),
            "invoice_balance": sum((Decimal(str(i["Balance"])) for i in invoices.values()),
                                   Decimal(0)),
            "payment_total": sum((Decimal(str(p["TotalAmt"])) for p in payments.values()),
                                 Decimal(0))}


def shown(business: Business) -> dict[str, Any]:
    """What the portal's API shows; ids as lists, so a duplicate shows as a difference."""
    rows = {name: business.all(f"/api/v1/{name}") for name, _ in ENTITIES}
    return {**{name: sorted(r["id"] for r in found) for name, found in rows.items()},
            "invoice_total": sum((Decimal(i["total"]) for i in rows["invoices"]), Decimal(0)),
            "invoice_balance": sum((Decimal(i["balance"]) for i in rows["invoices"]),
                                   Decimal(0)),
            "payment_total": sum((Decimal(p["total"]) for p in rows["payments"]), Decimal(0))}


def portal_differences(business: Business) -> dict[str, Any]:
    """Empty when the portal equals the sandbox: same ids (none twice), same sums."""
    want, have = expected(business), shown(business)
    differences = {}
    for key, value in want.items():
        held = have[key]
        if (sorted(value) if isinstance(value, set) else value) != held:
            differences[key] = (value if not isinstance(value, set) else len(value),
                                held if not isinstance(held, list) else len(held))
    return differences
