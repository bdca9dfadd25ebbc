"""The Enterprise endpoints API: `/webhooks/v1/tenants/<tenant_id>/endpoints...`."""
from __future__ import annotations

from typing import Any

from clientsynq.common.problems import json_body
from clientsynq.webhooks.api.access import require_webhook_admin
from clientsynq.webhooks.api.schemas import (
    EndpointCreateSchema,
    EndpointUpdateSchema,
    ReplaySchema,
    delivery_json,
    endpoint_json,
)
from clientsynq.webhooks.services import endpoints as uc
from flask import Blueprint, Response, current_app, jsonify, request

bp = Blueprint("endpoints", __name__, url_prefix="/webhooks/v1/tenants/<tenant_id>/endpoints")
MAX_LISTED = 200


def _deps() -> Any:
    return current_app.extensions["clientsynq"]


@bp.post("")
@require_webhook_admin
def create(tenant_id: str) -> tuple[Response, int]:
    deps = _deps()
    created = uc.create_endpoint(deps.outbound, deps.check_url, tenant_id,
                                 json_body(EndpointCreateSchema))
    return jsonify({**endpoint_json(created.endpoint), "secret": created.secret}), 201


@bp.get("")
@require_webhook_admin
def list_all(tenant_id: str) -> Response:
    return jsonify(endpoints=[endpoint_json(e)
                              for e in uc.list_endpoints(_deps().outbound, tenant_id)])


@bp.get("/<endpoint_id>")
@require_webhook_admin
def read(tenant_id: str, endpoint_id: str) -> Response:
    return jsonify(endpoint_json(uc.get_endpoint(_deps().outbound, tenant_id, endpoint_id)))


@bp.patch("/<endpoint_id>")
@require_webhook_admin
def update(tenant_id: str, endpoint_id: str) -> Response:
    deps = _deps()
    updated = uc.update_endpoint(deps.outbound, deps.check_url, tenant_id, endpoint_id,
                                 json_body(EndpointUpdateSchema))
    return jsonify(endpoint_json(updated))


@bp.delete("/<endpoint_id>")
@require_webhook_admin
def delete(tenant_id: str, endpoint_id: str) -> tuple[str, int]:
    uc.delete_endpoint(_deps().outbound, tenant_id, endpoint_id)
    return "", 204


@bp.post("/<endpoint_id>/pause")
@require_webhook_admin
def pause(tenant_id: str, endpoint_id: str) -> Response:
    return jsonify(endpoint_json(uc.pause_endpoint(_deps().outbound, tenant_id, endpoint_id)))


@bp.post("/<endpoint_id>/resume")
@require_webhook_admin
def resume(tenant_id: str, endpoint_id: str) -> Response:
    return jsonify(endpoint_json(uc.resume_endpoint(_deps().outbound, tenant_id, endpoint_id)))


@bp.post("/<endpoint_id>/secret/rotate")
@require_webhook_admin
def rotate(tenant_id: str, endpoint_id: str) -> Response:
    rotated = uc.rotate_secret(_deps().outbound, tenant_id, endpoint_id)
    return jsonify({**endpoint_json(rotated.endpoint), "secret": rotated.secret})


@bp.post("/<endpoint_id>/test")
@require_webhook_admin
def test(tenant_id: str, endpoint_id: str) -> tuple[Response, int]:
    return jsonify(delivery_json(uc.send_test(_deps().outbound, tenant_id, endpoint_id))), 202


@bp.get("/<endpoint_id>/deliveries")
@require_webhook_admin
def deliveries(tenant_id: str, endpoint_id: str) -> Response:
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), MAX_LISTED)
    found = uc.list_deliveries(_deps().outbound, tenant_id, endpoint_id, limit)
    return jsonify(deliveries=[delivery_json(d) for d in found])


@bp.post("/<endpoint_id>/deliveries/<delivery_id>/resend")
@require_webhook_admin
def resend(tenant_id: str, endpoint_id: str, delivery_id: str) -> tuple[Response, int]:
    delivery = uc.resend(_deps().outbound, tenant_id, endpoint_id, delivery_id)
    return jsonify(delivery_json(delivery)), 202


@bp.post("/<endpoint_id>/replay")
@require_webhook_admin
def replay(tenant_id: str, endpoint_id: str) -> tuple[Response, int]:
    since = json_body(ReplaySchema)["since"]
    queued = uc.replay_since(_deps().outbound, tenant_id, endpoint_id, since)
    return jsonify(queued=queued), 202
