"""sync-svc over real infrastructure: settings for a test, the worker in a thread or a
subprocess, and a reader of what reached Kafka."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from typing import Any

from clientsynq.sync.bootstrap import build_worker
from clientsynq.sync.config import Settings
from clientsynq.sync.worker import Worker
from kafka_reader import KafkaReader, summary  # re-exported: the tests import them from here
from threads import WorkerThread
from waiting import wait_until

TOPICS = ("customer.updated", "invoice.updated", "payment.recorded", "sync.completed",
          "sync.failed")

__all__ = ["KafkaReader", "summary", "wait_for"]
# What portal-svc presents to sync-svc (one per test session: nothing else holds it).
PORTAL_SYNC_SECRET = secrets.token_urlsafe(24)


def portal_headers(env: dict[str, str]) -> dict[str, str]:
    """portal-svc's credential at sync-svc's internal API, as sync-svc configured by `env`
    expects it."""
    return {"Authorization": f"Service portal-svc:{env['SERVICE_SECRET_PORTAL_SYNC']}"}


def sync_env(infra: Any, kafka_conn: Any, mongo_db: Any, auth: Any, sandbox: Any,
             **overrides: str) -> dict[str, str]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": kafka_conn.topic_prefix,
        "MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": mongo_db.name,
        # portal→sync has a secret of its own, never portal's secret for auth-svc
        "SERVICE_SECRET_SYNC": auth.sync_secret, "SERVICE_SECRET_PORTAL_SYNC": PORTAL_SYNC_SECRET,
        "SYNC_AUTH_URL": auth.base_url, "SYNC_QBO_BASE_URL": sandbox.base_url,
        "SYNC_QBO_RETRY_INITIAL": "50ms", "SYNC_QBO_RETRY_MAX": "500ms",
        "SYNC_LEASE_TTL": "3s", "SYNC_METRICS_PORT": "0", "SYNC_SCHEDULER_TICK": "3600s",
        # Intuit's 60 s after a 429 and a minute before a failed run is retried are real
        # waits; tests that are not about them must not sit through them.
        "SYNC_QBO_THROTTLE_PAUSE": "50ms", "SYNC_RUN_RETRY_INITIAL": "3600s",
    }
    env.update(overrides)
    return env


class ThreadWorker(WorkerThread):
    """The real worker (consumers, run threads, relay) in this process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.settings = Settings.from_env(env)
        super().__init__(Worker(build_worker(self.settings)), "sync-worker")


def worker_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`python -m clientsynq.sync.worker`, as a container would run it."""
    return subprocess.Popen([sys.executable, "-m", "clientsynq.sync.worker"],
                            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def snapshot_ids(events: list[dict[str, Any]], event_type: str, key: str) -> set[str]:
    return {e["data"][key]["id"] for e in events if e["type"] == event_type}


def finished(events: list[dict[str, Any]]) -> bool:
    return any(e["type"] in ("sync.completed", "sync.failed") for e in events)


def company_rows(tenant: Any, entity: str) -> list[dict[str, Any]]:
    """Every row of an entity straight from the sandbox (inactive customers too), with a
    token auth-svc hands out: the test's independent view of the company."""
    import requests
    from clientsynq.sync.domain.qbo_values import loads

    grant = requests.get(f"{tenant.auth.base_url}/internal/v1/tenants/{tenant.tenant_id}"
                         "/qbo/access-token", headers=tenant.auth.service_headers(),
                         timeout=30).json()
    where = " WHERE Active IN (true, false)" if entity == "Customer" else ""
    rows: list[dict[str, Any]] = []
    while True:
        statement = (f"SELECT * FROM {entity}{where} STARTPOSITION {len(rows) + 1} "  # noqa: S608
                     "MAXRESULTS 1000")
        response = _query_politely(tenant, statement, grant["access_token"])
        page = (loads(response.content).get("QueryResponse") or {}).get(entity) or []
        rows += page
        if len(page) < 1000:
            return rows


def publish(kafka_conn: Any, event_type: str, tenant: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Put an event on this test's topics as its producer service would."""
    from clientsynq.common.events import new_event
    from clientsynq.common.kafka import EventProducer

    envelope = new_event(event_type, tenant_id=tenant.tenant_id, realm_id=tenant.realm_id,
                         source="/clientsynq/tests", data=data)
    producer = EventProducer(kafka_conn)
    try:
        producer.publish(envelope)
    finally:
        producer.close()
    return envelope


def request_incremental_sync(kafka_conn: Any, tenant: Any, entities: list[str],
                             requested_by: str | None = None) -> dict[str, Any]:
    """Sync Now, as portal-svc asks for it."""
    return publish(kafka_conn, "sync.requested", tenant, {
        "request_id": str(uuid.uuid4()), "entities": entities, "reason": "manual",
        "mode": "incremental", "requested_by": requested_by})


def notify_change(kafka_conn: Any, tenant: Any, entity: str, entity_id: str, operation: str,
                  deleted_id: str | None = None) -> dict[str, Any]:
    """Intuit's webhook, as webhook-svc turns it into `qbo.entity.changed`."""
    from datetime import UTC, datetime

    return publish(kafka_conn, "qbo.entity.changed", tenant, {
        "entity": entity, "entity_id": entity_id, "operation": operation,
        "occurred_at": datetime.now(UTC), "notification_id": str(uuid.uuid4()),
        "deleted_id": deleted_id})


def invoice_command(customer_id: str, description: str = "Spring clean-up",
                    amount: str = "240.50", **line: Any) -> dict[str, Any]:
    """`invoice.create.requested` as portal-svc sends it: one line, a fresh command id."""
    return {"command_id": str(uuid.uuid4()), "customer_id": customer_id, "txn_date": None,
            "due_date": None, "terms_id": None, "email": None, "requested_by": "user-1",
            "lines": [{"description": description, "amount": amount, "item_id": None,
                       "quantity": None, "unit_price": None, **line}]}


def completed_runs(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == "sync.completed"]


def failures(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == "sync.failed"]


def _query_politely(tenant: Any, statement: str, token: str) -> Any:
    """The test reads the same realm the worker just paged: QBO's 10 requests a second
    apply to it too, so a 429 means ask again until the worker's requests leave the window
    (refused requests do not count in it)."""
    import requests

    def answer() -> Any:
        response = requests.get(f"{tenant.sandbox.base_url}/v3/company/{tenant.realm_id}/query",
                                params={"query": statement}, timeout=30,
                                headers={"Authorization": f"Bearer {token}",
                                         "Accept": "application/json"})
        return None if response.status_code == 429 else (response,)  # a 4xx is falsy

    return wait_until(answer, 15, "the sandbox to answer without 429")[0]


def checkpointed_pages(mongo_db: Any) -> int:
    return int(mongo_db["checkpoints"].count_documents({"kind": "page"}))


wait_for = wait_until  # the harness's older name for tests/support/waiting.wait_until


def expected_ids(tenant: Any) -> tuple[set[str], set[str], set[str]]:
    """What the help page promises: active customers; every unpaid invoice and those
    paid in the last 12 months (and those dated in them); payments of the last 12 months."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from clientsynq.sync.domain.qbo_values import company_today

    # The company's date, as sync-svc decides it (Pacific: from 4 pm the UTC date is ahead).
    cutoff = (company_today(datetime.now(UTC)) - timedelta(days=365)).isoformat()
    customers = {c["Id"] for c in company_rows(tenant, "Customer") if c["Active"]}
    all_payments = {p["Id"]: p for p in company_rows(tenant, "Payment")}

    def paid_in_window(invoice: dict[str, Any]) -> bool:
        dates = [all_payments[link["TxnId"]]["TxnDate"] for link in invoice.get("LinkedTxn") or []
                 if link.get("TxnType") == "Payment" and link["TxnId"] in all_payments]
        return bool(dates) and max(dates) >= cutoff

    invoices = {i["Id"] for i in company_rows(tenant, "Invoice")
                if i["TxnDate"] >= cutoff or Decimal(i["Balance"]) > 0 or paid_in_window(i)}
    payments = {p["Id"] for p in all_payments.values() if p["TxnDate"] >= cutoff}
    return customers, invoices, payments


def expected_paid_dates(tenant: Any) -> dict[str, str]:
    """Paid invoices whose payments are all of the last 12 months (so a full sync read them)
    → the date of their last payment, straight from the sandbox."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from clientsynq.sync.domain.qbo_values import company_today

    cutoff = (company_today(datetime.now(UTC)) - timedelta(days=365)).isoformat()
    payments = {p["Id"]: p for p in company_rows(tenant, "Payment")}
    found: dict[str, str] = {}
    for invoice in company_rows(tenant, "Invoice"):
        linked = [link["TxnId"] for link in invoice.get("LinkedTxn") or []
                  if link.get("TxnType") == "Payment"]
        dates = [payments[pid]["TxnDate"] for pid in linked if pid in payments]
        if (linked and len(dates) == len(linked) and min(dates) >= cutoff
                and Decimal(str(invoice["Balance"])) == 0):
            found[invoice["Id"]] = max(dates)
    return found
