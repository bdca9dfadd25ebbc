"""Settings → Team and (Enterprise) API keys: lists read from auth-svc with the user's own
token; changes are JSON calls the page's script makes to auth-svc on the same origin, so
auth-svc applies its own rules (roles, plan, last owner) and its answer is shown as is."""
from __future__ import annotations

from clientsynq.portal.web.session import business_page, deps, principal, session_token
from flask import Blueprint, render_template

bp = Blueprint("team", __name__)
API_KEY_SCOPES = ("customers:read", "invoices:read", "payments:read", "invoices:write",
                  "payments:write", "webhooks:manage")


@bp.get("/settings/team")
@business_page
def team() -> str:
    who = principal()
    members = deps().auth_client.members(session_token(), who.tenant_id)
    return render_template("business/team.html", title="Team", section="settings", page="team",
                           principal=who, members=members,
                           can_manage=who.role in ("owner", "admin"))


@bp.get("/settings/api-keys")
@business_page
def api_keys() -> str:
    who = principal()
    keys = (deps().auth_client.api_keys(session_token(), who.tenant_id)
            if who.role in ("owner", "admin") else [])
    return render_template("business/api_keys.html", title="API keys", section="settings",
                           page="api-keys", principal=who, keys=keys, scopes=API_KEY_SCOPES)
