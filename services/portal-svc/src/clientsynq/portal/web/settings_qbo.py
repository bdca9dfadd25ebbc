"""Settings → QuickBooks: every state the help page describes, in its words.

Connect, Reconnect and Disconnect are auth-svc's routes (it holds the tokens), called by the
page's script on the same origin; Sync Now is portal's own command. What the page shows
comes from portal's read models, which `connection.changed` and the sync events keep.
"""
from __future__ import annotations

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.common.problems import ClientSynqError
from clientsynq.portal.services import queries
from clientsynq.portal.web import commands
from clientsynq.portal.web.live import live_stream_for
from clientsynq.portal.web.session import business_page, deps, principal
from clientsynq.portal.web.troubleshooting import current_failure
from flask import Blueprint, redirect, render_template
from werkzeug.wrappers.response import Response

bp = Blueprint("settings", __name__)
MANAGERS = ("owner", "admin")


@bp.get("/settings")
@business_page
def settings() -> Response:
    return redirect("/settings/quickbooks", code=303)


@bp.get("/settings/quickbooks")
@business_page
def quickbooks(refused: str | None = None, status: int = 200) -> tuple[str, int]:
    who = principal()
    sync = queries.get_sync_status(deps().read, who.tenant_id)
    return render_template(
        "business/quickbooks.html", title="QuickBooks", section="settings", page="quickbooks",
        principal=who, connection=queries.get_connection(deps().read, who.tenant_id),
        sync=sync, failure=current_failure(sync.state), can_manage=who.role in MANAGERS,
        live_stream=live_stream_for("sync"), live_page="/settings/quickbooks",
        refused=refused), status


@bp.post("/settings/quickbooks/sync")
@business_page
@require_same_origin
def sync_now() -> Response | tuple[str, int]:
    """POST-redirect-GET: the page then shows "Sync requested" and, live, the progress."""
    try:
        commands.request_sync(principal())
    except ClientSynqError as refusal:
        if refusal.status >= 500:
            raise
        return quickbooks(refused=refusal.detail, status=refusal.status)
    return redirect("/settings/quickbooks", code=303)
