"""Schemathesis over the whole of openapi.yaml: for every operation, the coverage phase
(each parameter's and body field's boundary values and negative cases: missing, wrong type,
out of range, unexpected methods) and 25 generated requests; every answer held to the
document: no 5xx, and each status, content type, header and body as documented.

Over fakes (the same blueprints), like the unit tier's sample
(`unit/test_api_schemathesis.py`), but kept out of the unit tier for its cost: the coverage
cases are built while pytest collects, about 17 s on the loaded 2-core machine. `make test`
runs it (marker `slow`)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from portal_schemathesis import ALL_PHASES, ApiUnderSchema

pytestmark = pytest.mark.slow
api = ApiUnderSchema(ALL_PHASES)


@api.schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case: schemathesis.Case) -> None:
    api.call_and_validate(case)
