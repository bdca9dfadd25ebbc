"""`register(app)`: the pages, their assets and template filters, added by `create_app`."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from clientsynq.common.auth.origin import install_origin_check, install_security_headers
from clientsynq.common.problems import ClientSynqError, problem_response
from clientsynq.portal.web import (
    account,
    branding,
    business,
    client_portal,
    live,
    new_invoice,
    settings_qbo,
    sync_controls,
    team,
    webhooks,
)
from clientsynq.portal.web.formatting import install_filters
from flask import Blueprint, Flask, Response, render_template, request

PACKAGE = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
PAGE_BLUEPRINTS = {module.bp.name for module in (account, branding, settings_qbo, team,
                                                 webhooks, new_invoice, business,
                                                 client_portal, sync_controls)}


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


PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
               "object-src 'none'; frame-ancestors 'none'")


def page_headers(response: Response) -> Response:
    """Pages run only our own script (no inline script at all; inline style only for the
    brand colour) and never leak a link's token to another site through Referer."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["Referrer-Policy"] = "same-origin"
    return response


def register(app: Flask, public_origins: Iterable[str]) -> None:
    """`public_origins`: where browsers open the pages; portal's POSTs accept only those."""
    assets = Blueprint("web_assets", __name__, static_folder=str(PACKAGE / "static"),
                       static_url_path="/static", template_folder=str(PACKAGE / "templates"))
    app.register_blueprint(assets)
    for module in (account, branding, settings_qbo, team, webhooks, new_invoice, business,
                   client_portal, live, sync_controls):
        app.register_blueprint(module.bp)
    app.register_error_handler(ClientSynqError, page_error)
    app.after_request(page_headers)
    install_origin_check(app, public_origins)
    install_security_headers(app, hsts=all(o.startswith("https://") for o in public_origins))
    install_filters(app)
    app.context_processor(branding.brand_context)
