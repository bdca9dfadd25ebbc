"""Settings → Branding (Pro) and the logo the client portal shows."""
from __future__ import annotations

from typing import Any

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.common.problems import ClientSynqError, NotFound
from clientsynq.portal.services.branding import (
    MAX_LOGO_BYTES,
    MIN_CONTRAST,
    branding_of,
    save_branding,
)
from clientsynq.portal.web.session import business_page, cookie_principal, deps, principal
from flask import Blueprint, Response, g, redirect, render_template, request
from werkzeug.wrappers.response import Response as BaseResponse

bp = Blueprint("branding", __name__)


def _page(refused: str | None = None, status: int = 200) -> tuple[str, int]:
    who = principal()
    return render_template("business/branding.html", title="Branding", section="settings",
                           page="branding", principal=who, refused=refused,
                           saved=request.args.get("saved") == "1",
                           max_kb=MAX_LOGO_BYTES // 1024, min_contrast=MIN_CONTRAST), status


@bp.get("/settings/branding")
@business_page
def branding() -> tuple[str, int]:
    return _page()


@bp.post("/settings/branding")
@business_page
@require_same_origin
def save() -> BaseResponse | tuple[str, int]:
    upload = request.files.get("logo")
    data = upload.read(MAX_LOGO_BYTES + 1) if upload and upload.filename else None
    try:
        save_branding(deps().branding, principal(), request.form.get("color", "").strip(),
                      data, deps().read.clock())
    except ClientSynqError as refusal:
        if refusal.status >= 500:
            raise
        return _page(refused=refusal.detail, status=refusal.status)
    return redirect("/settings/branding?saved=1", code=303)


@bp.get("/branding/logo")
def logo() -> Response:
    """The signed-in business's logo, for its own pages and its clients' portal only."""
    who = cookie_principal()
    found = branding_of(deps().branding, who.tenant_id).logo if who else None
    if found is None:
        raise NotFound("No logo.")
    return Response(found.data, mimetype=found.content_type, headers={
        "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})


def brand_context() -> dict[str, Any]:
    """Every page behind a session shows its business's colour (and logo, on the portal)."""
    who = g.get("principal")
    return {"brand": branding_of(deps().branding, who.tenant_id)} if who is not None else {}
