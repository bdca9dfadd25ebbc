from __future__ import annotations

import logging
from typing import Any

import pytest
from clientsynq.common.problems import (
    Conflict,
    TooManyRequests,
    json_body,
    register_error_handlers,
)
from flask import Flask, request
from flask.testing import FlaskClient
from marshmallow import Schema, ValidationError, fields, validate


class NewNoteSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1))
    amount = fields.Integer(strict=True)


def create_test_app() -> Flask:
    app = Flask(__name__)
    register_error_handlers(app)

    @app.post("/notes")
    def create_note() -> dict[str, Any]:
        return {"loaded": json_body(NewNoteSchema, max_bytes=200)}

    @app.post("/raw")
    def raw_json() -> dict[str, Any]:
        return {"got": request.get_json()}

    @app.get("/conflict")
    def conflict() -> None:
        raise Conflict("Sync already running.")

    @app.get("/slow-down")
    def slow_down() -> None:
        raise TooManyRequests("Too many syncs.", retry_after=60)

    @app.get("/schema-error")
    def schema_error() -> None:
        raise ValidationError({"entities": ["Not a valid list."]})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("db password is hunter2")

    return app


@pytest.fixture
def client() -> FlaskClient:
    return create_test_app().test_client()


def test_our_errors_become_problem_json(client: FlaskClient) -> None:
    response = client.get("/conflict")

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json == {"type": "https://errors.clientsynq.dev/conflict",
                             "title": "Conflict", "status": 409,
                             "detail": "Sync already running.", "instance": "/conflict"}


def test_too_many_requests_says_when_to_retry(client: FlaskClient) -> None:
    response = client.get("/slow-down")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60" and response.json["retry_after"] == 60


def test_marshmallow_errors_are_422_with_field_errors(client: FlaskClient) -> None:
    response = client.get("/schema-error")

    assert response.status_code == 422
    assert response.json["errors"] == {"entities": ["Not a valid list."]}


@pytest.mark.parametrize("method,path,status,slug", [
    ("get", "/nowhere", 404, "not-found"),
    ("get", "/notes", 405, "method-not-allowed"),
])
def test_routing_errors_are_problem_json(
    client: FlaskClient, method: str, path: str, status: int, slug: str
) -> None:
    response = getattr(client, method)(path)

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["type"].endswith(slug)
    if status == 405:
        assert "POST" in response.headers["Allow"]


def test_malformed_json_through_flask_is_400_problem(client: FlaskClient) -> None:
    response = client.post("/raw", data="{oops", content_type="application/json")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_unexpected_errors_are_500_without_details_but_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")

    assert response.status_code == 500
    assert "hunter2" not in response.get_data(as_text=True)
    assert response.json["type"].endswith("/internal-error")
    assert any(record.exc_info for record in caplog.records)


def test_json_body_returns_loaded_data(client: FlaskClient) -> None:
    response = client.post("/notes", json={"title": "Hi", "amount": 3})

    assert response.status_code == 200 and response.json == {
        "loaded": {"title": "Hi", "amount": 3}}


@pytest.mark.parametrize("body,content_type,status,fragment", [
    ('{"title": "Hi"}', "text/plain", 415, "unsupported-media-type"),
    ('{"title": "Hi"', "application/json", 400, "bad-request"),
    ('{"title": "a", "title": "b"}', "application/json", 400, "bad-request"),
    ('{"title": "Hi", "amount": NaN}', "application/json", 400, "bad-request"),
    ('{"title": "Hi", "admin": true}', "application/json", 422, "validation-failed"),
    ('{"amount": "3"}', "application/json", 422, "validation-failed"),
    ('{"title": "' + "x" * 300 + '"}', "application/json", 413, "payload-too-large"),
])
def test_json_body_refuses_bad_requests(
    client: FlaskClient, body: str, content_type: str, status: int, fragment: str
) -> None:
    response = client.post("/notes", data=body, content_type=content_type)

    assert response.status_code == status
    assert response.json["type"].endswith(fragment)


def test_json_body_names_every_invalid_field(client: FlaskClient) -> None:
    response = client.post("/notes", json={"amount": "3", "admin": True})

    assert set(response.json["errors"]) == {"title", "amount", "admin"}
