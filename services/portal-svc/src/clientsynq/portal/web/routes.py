"""`register(app)`: the pages, their assets and template filters, added by `create_app`."""
from __future__ import annotations

from pathlib import Path

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
from flask import Blueprint, Flask

PACKAGE = Path(__file__).resolve().parent.parent


def register(app: Flask) -> None:
    assets = Blueprint("web_assets", __name__, static_folder=str(PACKAGE / "static"),
                       static_url_path="/static", template_folder=str(PACKAGE / "templates"))
    app.register_blueprint(assets)
    for module in (account, branding, settings_qbo, team, new_invoice, business,
                   client_portal, live):
        app.register_blueprint(module.bp)
    install_filters(app)
    app.context_processor(branding.brand_context)
