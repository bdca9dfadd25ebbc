"""`register(app)`: the pages, their assets and template filters, added by `create_app`."""
from __future__ import annotations

import logging
from pathlib import Path

from clientsynq.common.problems import ClientSynqError, problem_response
from clientsynq.portal.web import (
    account,
    branding,
    business,
    client_portal,
    live,
    new_invoice,
    settings_qbo,
    team,
)
from clientsynq.portal.web.formatting import install_filters
from flask import Blueprint, Flask, Response, render_template, request

PACKAGE = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
PAGE_BLUEPRINTS = {module.bp.name for module in (account, branding, settings_qbo, team,
                                                 new_invoice, business, client_portal)}


def page_error(err: ClientSynqError) -> Response | tuple[str, int]:
    """A person gets a page, not problem+json (the API and event streams keep JSON). A 404 says
    the same for "not yours" as for "does not exist"."""
    if request.blueprint not in PAGE_BLUEPRINTS:
        if err.status >= 500:
            log.error("http.error", extra={"slug": err.slug, "path": request.path})
        return problem_response(err, request.path)
    if err.status >= 500:
        log.error("page.error", extra={"slug": err.slug, "path": request.path})
    title = "Page not found" if err.status == 404 else err.title
    detail = ("There is nothing here, or it is not yours to see." if err.status == 404
              else err.detail)
    return render_template("error.html", title=title, detail=detail), err.status


def register(app: Flask) -> None:
    assets = Blueprint("web_assets", __name__, static_folder=str(PACKAGE / "static"),
                       static_url_path="/static", template_folder=str(PACKAGE / "templates"))
    app.register_blueprint(assets)
    for module in (account, branding, settings_qbo, team, new_invoice, business,
                   client_portal, live):
        app.register_blueprint(module.bp)
    app.register_error_handler(ClientSynqError, page_error)
    install_filters(app)
    app.context_processor(branding.brand_context)
