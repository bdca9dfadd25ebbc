"""`GET /internal/v1/tenants/{tenant_id}/sync/status`: what the portal shows under
"Last sync" (running, counts, cursors), for portal-svc only."""
from __future__ import annotations

from typing import Any

from clientsynq.common.auth import require_service
from clientsynq.sync import services
from flask import Blueprint, current_app

bp = Blueprint("sync_status", __name__, url_prefix="/internal/v1/tenants/<tenant_id>/sync")


@bp.get("/status")
@require_service("portal-svc")
def status(tenant_id: str) -> dict[str, Any]:
    return services.get_status(current_app.extensions["clientsynq"], tenant_id)
