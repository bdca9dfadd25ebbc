"""Schemathesis generates requests from openapi.yaml and checks every answer: no 5xx, and
each status, header and body as documented. Over fakes (the same blueprints), bounded.

A sample: five generated requests per operation, without the coverage phase. The whole run
(coverage phase, 25 examples per operation) is `integration/test_api_schemathesis_full.py`.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from portal_schemathesis import WITHOUT_COVERAGE, ApiUnderSchema

api = ApiUnderSchema(WITHOUT_COVERAGE)


@api.schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_a_few_requests_per_operation_keep_to_the_document(case: schemathesis.Case) -> None:
    api.call_and_validate(case)
