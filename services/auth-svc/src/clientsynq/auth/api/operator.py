"""The operator's API (``Authorization: Service operator:<AUTH_OPERATOR_SECRET>``): an
internal surface, served with ``/internal/v1`` on the internal listener, never by the gateway."""
from __future__ import annotations

from clientsynq.auth.api.schemas import PlanSchema
from clientsynq.auth.api.web import body, deps
from clientsynq.auth.services import accounts
from clientsynq.auth.services.ports import OPERATOR
from clientsynq.common.auth import require_service
from flask import Blueprint, Response, jsonify

bp = Blueprint("operator", __name__, url_prefix="/auth/v1/operator")


@bp.put("/tenants/<tenant_id>/plan")
@require_service(OPERATOR)
def change_plan(tenant_id: str) -> Response:
    """Switch a business's plan (billing is outside ClientSynq)."""
    data = body(PlanSchema)
    changed = accounts.change_plan(deps(), tenant_id, data["plan"], OPERATOR)
    return jsonify(tenant_id=changed.tenant_id, name=changed.name, plan=changed.plan)
