"""A run request is one typed command (issue 9): the same ask makes the same run id, the
stored document has one shape, and a malformed request is refused before it is queued."""
from __future__ import annotations

import uuid

import pytest
from clientsynq.sync.domain.run_requests import RunRequest


def _old_id(name: str) -> str:
    """How the ids were made before RunRequest (runs queued then must still dedupe)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"clientsynq-sync/{name}"))


def test_derived_ids_are_the_ones_runs_were_stored_under():
    assert RunRequest.requested("e1", "t", "r", "q1", "manual", "full",
                                ["Customer"]).run_id == _old_id("request/e1")
    assert RunRequest.initial("e2", "t", "r", "full", ["Invoice"]).run_id == _old_id(
        "initial/e2")
    assert RunRequest.webhook("e3", "t", "r", "n1", "Payment").run_id == _old_id("webhook/e3")
    assert RunRequest.follow_up("follow-up/c1", "t", "r", ["Invoice"]).run_id == _old_id(
        "follow-up/c1")


def test_a_retry_is_the_same_request_one_attempt_later():
    first = RunRequest.requested("e1", "t", "r", "q1", "schedule", "incremental",
                                 ["Invoice"], 300.0).to_doc()
    retry = RunRequest.retry({**first, "attempt": 2}).to_doc()
    assert retry["_id"] == _old_id(f"{first['_id']}/retry")
    assert retry["attempt"] == 3 and retry["retry_of"] == first["_id"]
    same = ("tenant_id", "realm_id", "request_ids", "reason", "mode", "entities",
            "look_back_seconds")
    assert {k: retry[k] for k in same} == {k: first[k] for k in same}


def test_every_api_request_is_its_own_run():
    one = RunRequest.on_demand("t", "r", "full_resync", "full", ["Customer"], "u1")
    two = RunRequest.on_demand("t", "r", "full_resync", "full", ["Customer"], "u1")
    assert one.run_id != two.run_id and one.to_doc()["request_ids"] == [one.run_id]
    assert one.to_doc()["requested_by"] == "u1"


@pytest.mark.parametrize("mode, entities", [("sometimes", ["Invoice"]), ("full", [])])
def test_a_malformed_request_is_refused(mode, entities):
    with pytest.raises(ValueError):
        RunRequest.initial("e", "t", "r", mode, entities)
