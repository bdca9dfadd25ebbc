"""`sync.requested` (Sync Now, the scheduler, a full resync): queue a run.

The run itself happens on a run thread, not here: a full sync can take minutes and must not
hold a Kafka partition (other tenants' events) while it does. Requests for a tenant that
already has a run waiting join that run.
"""
from __future__ import annotations

from clientsynq.common.events import Event
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.handlers.ports import HandlerDeps


def on_sync_requested(event: Event, deps: HandlerDeps) -> None:
    data = event.data
    look_back = None
    if data["reason"] == "reconcile":
        look_back = deps.settings.schedule.reconcile_interval + deps.settings.cdc_overlap_seconds
    deps.base.runs.request(RunRequest.requested(
        event.id, event.tenant_id, event.realm_id, data["request_id"], data["reason"],
        data["mode"], data["entities"], look_back), deps.now())
