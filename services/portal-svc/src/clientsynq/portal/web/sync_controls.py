"""Settings → Sync controls (Enterprise): which records sync, how often, how much history,
pause and resume, and a full resync — the help page's "Advanced sync controls".

sync-svc owns the controls; portal calls its internal API with the service credential
(`SyncControlsClient`), so the role is checked here (owners and admins) and the plan both here
and in sync-svc. Basic and Pro see what Enterprise adds, and sync-svc is not called for them.
Forms post here and redirect back (POST-redirect-GET); a refusal is shown on the page.
"""
from __future__ import annotations

from typing import Any

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.common.problems import ClientSynqError, Forbidden, ValidationFailed
from clientsynq.portal.web.session import business_page, deps, principal
from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

bp = Blueprint("sync_controls", __name__)
MINUTE, HOUR, DAY = 60, 3600, 86400
# What syncs, in the help page's words, and the frequencies offered (sync-svc's bounds:
# customers at most every 15 minutes, invoices and payments every minute, all within 7 days).
KINDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("Customer", "Customers", (15 * MINUTE, HOUR, 6 * HOUR, 12 * HOUR, DAY)),
    ("Invoice", "Invoices", (MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY)),
    ("Payment", "Payments", (MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY)),
)
# The history window a full sync reads (sync-svc's choices; never under the 12 months the
# help page and the statement of account promise).
HISTORY = ((365, "The last 12 months"), (730, "The last 24 months"), (1095, "The last 36 months"))
DONE = {"saved": "Sync settings saved.", "paused": "Syncing is paused.",
        "resumed": "Syncing resumed: a sync is catching up on anything changed meanwhile.",
        "resync": "Full resync queued: every record is read again from QuickBooks."}


def every(seconds: int) -> str:
    """ "Every hour", "Every 15 minutes", "Every 24 hours": as the help page says it."""
    if seconds % HOUR == 0:
        hours = seconds // HOUR
        return "Every hour" if hours == 1 else f"Every {hours} hours"
    minutes = seconds // MINUTE
    return "Every minute" if minutes == 1 else f"Every {minutes} minutes"


def _may_manage() -> bool:
    who = principal()
    return who.plan == "enterprise" and who.role in ("owner", "admin")


def _choices(kind: str, presets: tuple[int, ...], current: int) -> list[tuple[int, str]]:
    """The presets, plus the current value when it was set to something else (the API)."""
    values = sorted({*presets, current})
    return [(value, every(value)) for value in values]


def _page(refused: str | None = None, status: int = 200) -> tuple[str, int]:
    who = principal()
    settings = deps().sync_controls.settings(who.tenant_id) if _may_manage() else None
    kinds: list[dict[str, Any]] = []
    if settings is not None:
        for kind, label, presets in KINDS:
            current = int(settings["intervals"].get(kind, presets[-1]))
            kinds.append({"kind": kind, "label": label, "on": kind in settings["entities"],
                          "current": current, "choices": _choices(kind, presets, current)})
    return render_template(
        "business/sync_controls.html", title="Sync controls", section="settings",
        page="sync", principal=who, settings=settings, kinds=kinds, refused=refused,
        history=HISTORY, may_manage=_may_manage(),
        done=DONE.get(request.args.get("done", ""))), status


@bp.get("/settings/sync")
@business_page
def sync_controls() -> tuple[str, int]:
    return _page()


def _changes() -> dict[str, Any]:
    """The form as sync-svc's PATCH body; a value not offered is refused, nothing saved."""
    entities = request.form.getlist("entities")
    if not entities:
        raise ValidationFailed({"entities": ["choose at least one"]},
                               "Choose at least one kind of record to sync.")
    intervals: dict[str, int] = {}
    for kind, label, _ in KINDS:
        raw = request.form.get(f"interval-{kind}", "")
        if not raw.isdigit():
            raise ValidationFailed({f"interval-{kind}": ["a number of seconds"]},
                                   f"Choose how often {label.lower()} sync.")
        intervals[kind] = int(raw)
    history = request.form.get("history_days", "")
    if history not in {str(days) for days, _ in HISTORY}:
        raise ValidationFailed({"history_days": ["one of the choices"]},
                               "Choose how much history to keep.")
    return {"entities": entities, "intervals": intervals, "history_days": int(history)}


def _act(action: str) -> Response | tuple[str, int]:
    """Apply one change through sync-svc; its refusal (or ours) is shown on the page."""
    who = principal()
    client = deps().sync_controls
    try:
        if not _may_manage():
            raise Forbidden("Only an owner or admin of an Enterprise business changes the "
                            "sync controls.")
        if action == "saved":
            client.update(who.tenant_id, _changes())
        elif action in ("paused", "resumed"):
            client.update(who.tenant_id, {"paused": action == "paused"})
        else:
            client.full_resync(who.tenant_id, who.subject)
    except ClientSynqError as refusal:
        if refusal.status >= 500:
            raise
        return _page(refused=refusal.detail, status=refusal.status)
    return redirect(f"/settings/sync?done={action}", code=303)


@bp.post("/settings/sync")
@business_page
@require_same_origin
def save() -> Response | tuple[str, int]:
    return _act("saved")


@bp.post("/settings/sync/pause")
@business_page
@require_same_origin
def pause() -> Response | tuple[str, int]:
    return _act("paused")


@bp.post("/settings/sync/resume")
@business_page
@require_same_origin
def resume() -> Response | tuple[str, int]:
    return _act("resumed")


@bp.post("/settings/sync/full-resync")
@business_page
@require_same_origin
def full_resync() -> Response | tuple[str, int]:
    return _act("resync")
