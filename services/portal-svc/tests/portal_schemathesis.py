"""Schemathesis over `/api/v1` on fakes: one seeded business, the checks the issue asks for,
and the OpenAPI document loaded with the phases a tier runs.

The unit tier fuzzes a few requests per operation (`unit/test_api_schemathesis.py`). The
whole run, which the unit tier used to hold, is in the integration tier
(`integration/test_api_schemathesis_full.py`): Schemathesis' coverage phase (every
parameter's boundary and negative values) is built while pytest collects, about 17 s on the
loaded 2-core machine, and its fuzzing runs 25 examples per operation. `make test` runs both.
"""
from __future__ import annotations

from typing import Any

import schemathesis
from portal_api_harness import Api, seed_business
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

TENANT = "tenant-a"
# What the issue asks: no 5xx, and every status, content type, header and body as
# documented. (Schemathesis' "positive data accepted" is left out: a cursor is opaque, so a
# schema-valid made-up cursor is rightly a 400, as are made-up ids in a body a 404.)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_headers_conformance,
          checks.response_schema_conformance]
ALL_PHASES: dict[str, Any] = {}
WITHOUT_COVERAGE: dict[str, Any] = {"coverage": {"enabled": False}}


class ApiUnderSchema:
    """A seeded `/api/v1` over fakes and its OpenAPI document loaded for `phases`."""

    def __init__(self, phases: dict[str, Any]) -> None:
        self.harness = Api()
        seed_business(self.harness, TENANT)
        self.token = self.harness.token(TENANT, plan="pro")
        config = SchemathesisConfig.from_dict({"phases": phases})
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", self.harness.app,
                                                     config=config)

    def call_and_validate(self, case: schemathesis.Case) -> None:
        self.harness.monotonic += 60  # a fresh rate-limit window: 429 is documented, not the point
        case.call_and_validate(headers={"Authorization": f"Bearer {self.token}"}, checks=CHECKS)
