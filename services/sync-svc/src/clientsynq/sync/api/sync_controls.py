"""Enterprise sync controls: intervals, entities, history window, pause/resume, full resync.

Called by portal-svc with its service credential; the tenant's plan is checked here too
(portal checks it first, but a service must not trust that every caller did).
"""
from __future__ import annotations

from typing import Any

from clientsynq.common.auth import require_service
from clientsynq.common.events.fields import StrictBoolean, StrictInteger, entity_list
from clientsynq.common.problems import json_body
from clientsynq.sync import services
from clientsynq.sync.domain.model import HISTORY_DAYS_CHOICES
from flask import Blueprint, current_app, request
from marshmallow import Schema, fields, validate

bp = Blueprint("sync_controls", __name__, url_prefix="/internal/v1/tenants/<tenant_id>/sync")


class SettingsPatchSchema(Schema):
    class Meta:
        unknown = "raise"

    paused = StrictBoolean()
    entities = entity_list(non_empty=True)
    intervals = fields.Dict(keys=fields.String(), values=StrictInteger())
    # More history than the default 12 months (a full resync reads it); never less.
    history_days = StrictInteger(validate=validate.OneOf(HISTORY_DAYS_CHOICES))


class ResyncSchema(Schema):
    class Meta:
        unknown = "raise"

    requested_by = fields.String(allow_none=True, load_default=None)


@bp.get("/settings")
@require_service("portal-svc")
def get_settings(tenant_id: str) -> dict[str, Any]:
    status = services.get_status(current_app.extensions["clientsynq"], tenant_id)
    settings: dict[str, Any] = status["settings"]
    return settings


@bp.patch("/settings")
@require_service("portal-svc")
def patch_settings(tenant_id: str) -> dict[str, Any]:
    changes = json_body(SettingsPatchSchema(partial=("entities",)))
    return services.update_settings(current_app.extensions["clientsynq"], tenant_id, changes)


@bp.post("/pause")
@require_service("portal-svc")
def pause(tenant_id: str) -> dict[str, Any]:
    return services.update_settings(current_app.extensions["clientsynq"], tenant_id,
                                    {"paused": True})


@bp.post("/resume")
@require_service("portal-svc")
def resume(tenant_id: str) -> dict[str, Any]:
    return services.update_settings(current_app.extensions["clientsynq"], tenant_id,
                                    {"paused": False})


@bp.post("/full-resync")
@require_service("portal-svc")
def full_resync(tenant_id: str) -> tuple[dict[str, Any], int]:
    body = json_body(ResyncSchema) if request.content_length else {}
    run_id = services.request_full_resync(current_app.extensions["clientsynq"], tenant_id,
                                          body.get("requested_by"))
    return {"run_id": run_id, "status": "queued"}, 202
