"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 document kept in the repo (openapi.yaml)."""
from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from clientsynq.portal.api.edge import install_edge
from clientsynq.portal.api.http import json_response
from flask import Blueprint, Response

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")
install_edge(bp)


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("clientsynq.portal.api").joinpath("openapi.yaml").read_text()
    document: dict[str, Any] = yaml.safe_load(text)
    return document


@bp.get("/openapi.json")
def openapi_document_view() -> Response:
    response = json_response(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
