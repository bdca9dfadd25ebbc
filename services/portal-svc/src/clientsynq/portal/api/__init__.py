"""The public API `/api/v1` (JWTs and Enterprise API keys); `register(app)` adds it."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from clientsynq.portal.api import commands, openapi, reads

    for module in (reads, commands, openapi):
        app.register_blueprint(module.bp)
