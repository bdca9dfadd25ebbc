"""openapi.yaml documents every /api/v1 route and nothing else, and every answer the API
gives to a broad set of requests fits the documented status and schema."""
from __future__ import annotations

import pytest
from clientsynq.portal.api.openapi import openapi_document
from openapi_routes import app_routes, document_routes
from portal_api_harness import Api, seed_business
from portal_openapi_check import check_response

TENANT = "tenant-a"


def test_every_api_route_is_documented_with_its_methods():
    routes = app_routes(Api().app, keep=lambda rule: rule.startswith("/api/"))
    assert routes == document_routes(openapi_document())


def test_the_document_is_served():
    response = Api().client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"


REQUESTS = [
    ("GET", "/api/v1/invoices", None, {}), ("GET", "/api/v1/invoices?status=paid", None, {}),
    ("GET", "/api/v1/invoices?limit=1", None, {}), ("GET", "/api/v1/invoices?limit=0", None, {}),
    ("GET", "/api/v1/invoices/101", None, {}), ("GET", "/api/v1/invoices/999", None, {}),
    ("GET", "/api/v1/customers", None, {}), ("GET", "/api/v1/customers/1", None, {}),
    ("GET", "/api/v1/customers/9", None, {}), ("GET", "/api/v1/payments", None, {}),
    ("GET", "/api/v1/payments/501", None, {}), ("GET", "/api/v1/connection", None, {}),
    ("GET", "/api/v1/sync", None, {}), ("GET", "/api/v1/commands/nope", None, {}),
    ("POST", "/api/v1/sync", None, {}), ("POST", "/api/v1/sync", None, {}),
    ("POST", "/api/v1/invoices", {"customer_id": "1", "lines": [
        {"description": "a", "amount": "1.00"}]}, {}),
    ("POST", "/api/v1/invoices", {"lines": []}, {}),
    ("POST", "/api/v1/payments", {"customer_id": "1", "amount": "1.00", "applied_to": [
        {"invoice_id": "101", "amount": "1.00"}]}, {"Idempotency-Key": "a"}),
    ("POST", "/api/v1/payments", {"customer_id": "1", "amount": "2.00", "applied_to": [
        {"invoice_id": "101", "amount": "2.00"}]}, {"Idempotency-Key": "a"}),
]


@pytest.mark.parametrize("plan", ["basic", "pro"])
def test_every_answer_fits_the_document(plan: str):
    api = Api()
    seed_business(api, TENANT)
    token = api.token(TENANT, plan=plan)
    for method, path, body, headers in REQUESTS:
        response = api.call(method, path, token, json=body, headers=headers)
        check_response(method, path, response.status_code, response.mimetype,
                       response.get_json(silent=True))
    unauthenticated = api.call("GET", "/api/v1/invoices", None)
    check_response("GET", "/api/v1/invoices", 401, unauthenticated.mimetype,
                   unauthenticated.get_json())
