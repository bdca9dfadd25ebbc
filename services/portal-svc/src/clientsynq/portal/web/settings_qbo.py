"""Settings → QuickBooks: every state the help page describes, in its words.

Connect, Reconnect and Disconnect are auth-svc's routes (it holds the tokens), called by the
page's script on the same origin; Sync Now is portal's own command. What the page shows
comes from portal's read models, which `connection.changed` and the sync events keep.
"""
from __future__ import annotations

from clientsynq.portal.services import queries
from clientsynq.portal.web.csrf import same_origin
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
def quickbooks() -> str:
    who = principal()
    sync = queries.get_sync_status(deps().read, who.tenant_id)
    return render_template(
        "business/quickbooks.html", title="QuickBooks", section="settings", page="quickbooks",
        principal=who, connection=queries.get_connection(deps().read, who.tenant_id),
        sync=sync, failure=current_failure(sync.state), can_manage=who.role in MANAGERS,
        live_stream=live_stream_for("sync"))


@bp.post("/settings/quickbooks/sync")
@business_page
@same_origin
def sync_now() -> Response:
    """POST-redirect-GET: the page then shows "Sync requested" and, live, the progress."""
    who = principal()
    deps().commands.request_sync(who.tenant_id, requested_by=who.subject)
    return redirect("/settings/quickbooks", code=303)
