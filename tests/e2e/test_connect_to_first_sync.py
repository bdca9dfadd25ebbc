"""The whole story across services, every process real: a business signs up, connects its
QuickBooks company, and its customers, invoices and payments arrive on Kafka.

auth-svc serves HTTP; auth-svc's worker (outbox relay) and sync-svc's worker run as the
separate processes they are in production (`python -m clientsynq.<svc>.worker`).
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from kafka import KafkaConsumer

pytestmark = pytest.mark.integration

SNAPSHOT_TOPICS = ("customer.updated", "invoice.updated", "payment.recorded", "sync.completed")


@contextmanager
def worker(module: str, env: dict[str, str], logs: list[str]) -> Iterator[None]:
    """The worker as a container runs it; what it logged is appended to `logs` at the end."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([sys.executable, "-m", module],
                                   env={**os.environ, **env, "LOG_LEVEL": "DEBUG"},
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            process.terminate()
            code = process.wait(timeout=60)
            output.seek(0)
            logs.append(output.read().decode(errors="replace"))
            assert code == 0, f"{module} exited {code}: {logs[-1][-3000:]}"


def events_until_sync_completed(kafka_conn, timeout: float = 120) -> list[dict]:
    consumer = KafkaConsumer(*[kafka_conn.topic(t) for t in SNAPSHOT_TOPICS],
                             bootstrap_servers=kafka_conn.servers, auto_offset_reset="earliest",
                             group_id=f"e2e-{uuid.uuid4().hex[:6]}", **kafka_conn.fetch_options)
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                events += [json.loads(r.value) for r in records]
            if any(e["type"] == "sync.completed" for e in events):
                return events
    finally:
        consumer.close()
    raise AssertionError(f"no sync.completed within {timeout}s ({len(events)} events seen)")


def test_a_new_business_connects_and_its_books_arrive(infra, kafka_conn, mongo_client,
                                                      auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="pro", customers=30, invoices=120, payments=60, seed=11,
                            publish=False)  # the auth worker process publishes it
    sync_db = f"test_e2e_sync_{uuid.uuid4().hex[:8]}"
    sync_env = {**auth_service.env, "MONGODB_DATABASE": sync_db,
                "SYNC_AUTH_URL": auth_service.base_url, "SYNC_QBO_BASE_URL": qbo_sandbox.base_url,
                "SYNC_METRICS_PORT": "0", "SYNC_SCHEDULER_TICK": "3600s",
                "SERVICE_SECRET_PORTAL_SYNC": secrets.token_urlsafe(24)}  # portal→sync
    logs: list[str] = []
    try:
        with worker("clientsynq.auth.worker", auth_service.env, logs), \
                worker("clientsynq.sync.worker", sync_env, logs):
            events = events_until_sync_completed(kafka_conn)
    finally:
        mongo_client.drop_database(sync_db)

    assert {e["tenantid"] for e in events} == {tenant.tenant_id}
    [completed] = [e["data"] for e in events if e["type"] == "sync.completed"]
    assert completed["mode"] == "full"
    for topic, entity, key in (("customer.updated", "Customer", "customer"),
                               ("invoice.updated", "Invoice", "invoice"),
                               ("payment.recorded", "Payment", "payment")):
        ids = {e["data"][key]["id"] for e in events if e["type"] == topic}
        assert len(ids) == completed["counts"][entity] > 0
    status = tenant.session.get(
        f"{auth_service.base_url}/auth/v1/tenants/{tenant.tenant_id}/qbo/connection",
        timeout=30).json()
    assert status["status"] == "connected" and status["company_name"]
    token = requests.get(f"{auth_service.base_url}/internal/v1/tenants/{tenant.tenant_id}"
                         "/qbo/access-token", headers=auth_service.service_headers(),
                         timeout=30).json()["access_token"]
    assert len(logs) == 2 and all("worker_started" in log for log in logs)
    assert all(token not in log and "Bearer " not in log for log in logs)
    assert all(token not in json.dumps(e) for e in events)  # tokens never travel on Kafka
