"""create_app(sandbox) -> Flask: blueprints, the gateway guard and one error handler."""

from __future__ import annotations

import logging

from flask import Flask, Response

from . import api_accounting, api_cdc_batch, control_views, oauth_views
from .errors import OAuthError, QboFault, SandboxError
from .guard import install_guard
from .http_util import error_response
from .sandbox import Sandbox

log = logging.getLogger(__name__)


def create_app(sandbox: Sandbox) -> Flask:
    """The WSGI app serving one Sandbox; importing this module creates nothing."""
    app = Flask("qbo_sandbox")
    app.extensions["qbo_sandbox"] = sandbox
    app.json.sort_keys = False  # type: ignore[attr-defined]
    install_guard(app)
    app.register_blueprint(oauth_views.bp)
    app.register_blueprint(api_accounting.bp)
    app.register_blueprint(api_cdc_batch.bp)
    app.register_blueprint(control_views.bp)
    app.register_error_handler(SandboxError, _render)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_allowed)
    app.register_error_handler(500, _crash)
    return app


def _render(err: SandboxError) -> Response:
    response = error_response(err)
    if isinstance(err, OAuthError):
        response.headers.update(oauth_views.NO_STORE)
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="Intuit"'
    return response


def _not_found(_err: Exception) -> Response:
    return error_response(QboFault("500", "Unsupported Operation", "The URI is not supported",
                                   status=404))


def _not_allowed(_err: Exception) -> Response:
    return error_response(QboFault("500", "Unsupported Operation",
                                   "The HTTP method is not supported for this URI", status=405))


def _crash(err: Exception) -> Response:
    """A bug in the emulator still answers like Intuit's SystemFault, never a bare 500 page."""
    log.error("sandbox.unhandled_error", exc_info=getattr(err, "original_exception", err))
    return error_response(QboFault("10000", "An application error has occurred while "
                                   "processing your request", "System Failure Error",
                                   "SystemFault", 500))
