"""`connection.changed`: remember the connection; a new one starts the initial sync."""
from __future__ import annotations

import logging

from clientsynq.common.events import Event
from clientsynq.sync.domain.model import controls_in_force, initial_mode
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.handlers.ports import HandlerDeps

log = logging.getLogger(__name__)


def on_connection_changed(event: Event, deps: HandlerDeps) -> None:
    """Disconnected and expired tenants are remembered so nothing syncs them; their data
    stays where it is (the portal keeps working)."""
    data, tenant_id = event.data, event.tenant_id
    applied = deps.base.tenants.record_connection(
        tenant_id, data["realm_id"], data["status"], data.get("company_name"),
        data["changed_at"])
    log.info("sync.connection_changed", extra={"tenant_id": tenant_id, "status":
                                               data["status"], "applied": bool(applied)})
    if applied is None or data["status"] != "connected":
        return
    now = deps.now()
    tenant = controls_in_force(applied.tenant, deps.plan_of)
    assert tenant is not None
    cursors = (deps.base.runs.cursors(tenant_id, data["realm_id"], ENTITIES)
               if applied.known_before else {})
    deps.base.runs.request(RunRequest.initial(
        event.id, tenant_id, data["realm_id"], initial_mode(cursors, now),
        tenant.controls.entities), now)

