"""What the sandbox company really holds, read through the Accounting API as a second app
would: the figures a page shows are checked against QuickBooks, not against our own data."""
from __future__ import annotations

import secrets
from typing import Any

import requests


class SandboxReader:
    def __init__(self, sandbox: Any, realm_id: str) -> None:
        client_id = f"reader-{secrets.token_hex(4)}"
        sandbox.control.register_app(client_id=client_id, client_secret=secrets.token_urlsafe(16),
                                     redirect_uris=["http://127.0.0.1/unused"], name="Reader")
        token = sandbox.control.connect(client_id, realm_id)["access_token"]
        self._base = f"{sandbox.base_url}/v3/company/{realm_id}"
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def query(self, statement: str) -> dict[str, Any]:
        answer = requests.get(f"{self._base}/query", params={"query": statement,
                                                              "minorversion": "75"},
                              headers=self._headers, timeout=30)
        answer.raise_for_status()
        return dict(answer.json()["QueryResponse"])

    def rows(self, entity: str, where: str = "") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            statement = " ".join(("select * from", entity, where, "startposition",
                                  str(len(found) + 1), "maxresults 1000"))
            page = self.query(statement).get(entity, [])
            found += page
            if len(page) < 1000:
                return found

    def active_customers(self) -> list[dict[str, Any]]:
        return self.rows("Customer", "where Active = true")

    def invoices_of(self, customer_id: str) -> list[dict[str, Any]]:
        return self.rows("Invoice", f"where CustomerRef = '{customer_id}'")

    def payments_of(self, customer_id: str) -> list[dict[str, Any]]:
        return self.rows("Payment", f"where CustomerRef = '{customer_id}'")
