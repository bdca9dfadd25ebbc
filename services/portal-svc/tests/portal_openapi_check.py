"""Hold responses to openapi.yaml: each answer must be a documented status whose body fits
the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""
from __future__ import annotations

import re
from typing import Any

from clientsynq.portal.api.openapi import openapi_document
from jsonschema import Draft202012Validator, FormatChecker


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], str]:
    pointer = node["$ref"]
    found: Any = document
    for part in pointer.lstrip("#/").split("/"):
        found = found[part.replace("~1", "/").replace("~0", "~")]
    return found, pointer


def template_of(path: str) -> str:
    """The documented path a concrete path matches (e.g. /api/v1/invoices/7)."""
    for template in openapi_document()["paths"]:
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path):
            return str(template)
    raise AssertionError(f"{path} is not documented")


def check_response(method: str, path: str, status: int, mimetype: str, body: Any) -> None:
    document = openapi_document()
    template = template_of(path.split("?")[0])
    operation = document["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not documented"
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {template}: {status} is not documented"
    response = responses[str(status)]
    pointer = f"#/paths/{_escape(template)}/{method.lower()}/responses/{status}"
    if "$ref" in response:
        response, pointer = _resolve(document, response)
    content = response.get("content")
    if not content:
        assert not body, f"{method} {template} {status}: a body where none is documented"
        return
    assert mimetype in content, f"{method} {template} {status}: {mimetype} not documented"
    schema_pointer = f"{pointer}/content/{_escape(mimetype)}/schema"
    validator = Draft202012Validator({**document, "$ref": schema_pointer},
                                     format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    where = f"{method} {template} {status}"
    assert not errors, f"{where}: {errors[0].message} at {list(errors[0].path)}"
