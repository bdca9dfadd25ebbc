"""The worker relays connection.changed to Kafka, refreshes quiet connections before their
rolling expiry, and stops cleanly on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.auth.worker import run
from waiting import wait_until

pytestmark = pytest.mark.integration


def _wait_for(predicate, timeout: float = 20) -> None:
    wait_until(predicate, timeout, "the worker's effect")


def test_the_worker_refreshes_a_quiet_connection_and_relays_events(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    quiet = auth.connection_doc(owner.tenant_id)
    auth.versions().update_one({"_id": quiet["_id"], "tenant_id": owner.tenant_id}, {"$set": {
        "last_refresh_at": datetime.now(UTC) - timedelta(days=1, minutes=1)}})
    stop = threading.Event()
    worker = threading.Thread(target=run, args=(auth.deps, stop))
    worker.start()
    try:
        _wait_for(lambda: auth.refreshes(realm_id) == 1)
        _wait_for(lambda: auth.versions().count_documents({"_outbox_pending": True}) == 0)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    latest = auth.connection_doc(owner.tenant_id)
    assert latest["last_refresh_at"] > datetime.now(UTC) - timedelta(minutes=1)
    assert auth.access_token(owner.tenant_id).status_code == 200
    assert auth.refreshes(realm_id) == 1  # the fresh token needed no second refresh
    events = auth.published(1)
    assert [e["data"]["status"] for e in events] == ["connected"]


def test_a_recently_refreshed_connection_is_left_alone(auth):
    from clientsynq.auth.worker import refresher_round

    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    assert refresher_round(auth.deps) == 0
    assert auth.refreshes(realm_id) == 0


def test_python_m_worker_stops_cleanly_on_sigterm(auth):
    process = subprocess.Popen([sys.executable, "-m", "clientsynq.auth.worker"],
                               env={**os.environ, **auth.env, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        started = ""
        while "auth.worker_started" not in started and time.monotonic() < deadline:
            started += process.stdout.readline() if process.stdout else ""
        assert "auth.worker_started" in started
        process.send_signal(signal.SIGTERM)
        # communicate() drains the pipe while waiting: a worker that logs more than a pipe
        # holds would otherwise block on its own stdout and never exit.
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest[-3000:]
    assert "auth.worker_stopped" in rest, rest[-3000:]
