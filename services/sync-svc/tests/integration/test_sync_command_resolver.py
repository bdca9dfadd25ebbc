"""The resolver finds open commands across tenants by retry time (one query a page, not
one per connected tenant), every due one exactly once a round, oldest first, and leaves a
settled or not-yet-due command alone."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.sync.adapters.commands import CommandLedger

pytestmark = pytest.mark.integration


def test_due_across_pages_every_due_open_command_once_oldest_first(mongo_db):
    ledger, now = CommandLedger(mongo_db), datetime.now(UTC)
    for n in range(7):  # same retry time for some: the page edge falls inside a tie
        ledger.begin(f"tenant-{n % 3}", f"cmd-{n}", "invoice.create.requested", {},
                     now - timedelta(minutes=10 + n // 2))
    ledger.begin("tenant-0", "cmd-later", "invoice.create.requested", {}, now)
    ledger.fail("tenant-1", "cmd-1", "refused", None, [], now)  # settled: never due

    due = list(ledger.due_across(now, page=2))

    assert [d["_id"] for d in due] == ["cmd-6", "cmd-4", "cmd-5", "cmd-2", "cmd-3", "cmd-0"]
    assert {d["tenant_id"] for d in due} == {"tenant-0", "tenant-1", "tenant-2"}
    assert all("_outbox" not in d for d in due)
