"""Settings → Webhooks (Enterprise): endpoints and their delivery logs read from webhook-svc
with the user's own token; changes (create, edit, delete, rotate the secret, pause, test,
resend, replay) are JSON calls the page's script makes to webhook-svc on the same origin (the
gateway), so webhook-svc applies its own rules and its answer is shown as is. Only owners and
admins of an Enterprise business reach webhook-svc at all; everyone else is told why here,
without a call."""
from __future__ import annotations

from clientsynq.portal.web.session import business_page, deps, principal, session_token
from flask import Blueprint, render_template

bp = Blueprint("webhooks", __name__)
# The event types webhook-svc sends (its `EVENT_TYPES`), with what each one means.
EVENT_TYPES = (
    ("invoice.updated", "An invoice was created or changed in QuickBooks"),
    ("payment.recorded", "A payment was recorded"),
    ("customer.updated", "A customer was created or changed"),
    ("connection.changed", "QuickBooks was connected, disconnected or needs reconnecting"),
    ("sync.completed", "A sync finished"),
    ("sync.failed", "A sync failed"),
)


# How long webhook-svc signs with the old secret too after a rotation (its WEBHOOK_SECRET_GRACE
# default); the page says it so the owner knows how long they have to update the receiver.
GRACE_AFTER_ROTATION = "24 hours"


def _may_manage() -> bool:
    who = principal()
    return who.plan == "enterprise" and who.role in ("owner", "admin")


@bp.get("/settings/webhooks")
@business_page
def webhooks() -> str:
    who = principal()
    endpoints = (deps().webhook_client.endpoints(session_token(), who.tenant_id)
                 if _may_manage() else [])
    return render_template("business/webhooks.html", title="Webhooks", section="settings",
                           page="webhooks", principal=who, endpoints=endpoints,
                           event_types=EVENT_TYPES)


@bp.get("/settings/webhooks/<endpoint_id>")
@business_page
def endpoint(endpoint_id: str) -> str:
    who = principal()
    if not _may_manage():
        return webhooks()
    client, token = deps().webhook_client, session_token()
    found = client.endpoint(token, who.tenant_id, endpoint_id)
    deliveries = client.deliveries(token, who.tenant_id, endpoint_id)
    return render_template("business/webhook_endpoint.html", title="Webhook deliveries",
                           section="settings", page="webhooks", principal=who,
                           endpoint=found, deliveries=deliveries, event_types=EVENT_TYPES,
                           grace=GRACE_AFTER_ROTATION)
