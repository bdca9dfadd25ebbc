"""`sync.progress`: the bar moves, at most one event every interval per run, from where a
resumed run stood."""
from __future__ import annotations

from clientsynq.sync.engine.progress import Progress
from sync_fakes import FakeClock, RecordingEmitter

RUN = {"_id": "run-1", "tenant_id": "t-1", "request_ids": ["req-1"]}


def _progress(clock: FakeClock, emit: RecordingEmitter) -> Progress:
    return Progress(emit, 2.0, run=RUN, realm_id="9130", source="/test", now=clock.now,
                    clock=clock.monotonic)


def test_pages_within_two_seconds_make_one_event_and_the_next_interval_another():
    clock, emit = FakeClock(), RecordingEmitter()
    progress = _progress(clock, emit)
    progress.expect("Invoice", 2500)

    progress.advance("Invoice", 1000)
    clock.advance(1.9)
    progress.advance("Invoice", 1000)
    clock.advance(0.2)
    progress.advance("Invoice", 500)

    data = [event["data"] for event in emit.sent]
    assert [(d["rows_done"], d["rows_expected"]) for d in data] == [(1000, 2500), (2500, 2500)]
    assert data[0]["run_id"] == "run-1" and data[0]["request_id"] == "req-1"


def test_a_resumed_run_counts_on_from_its_checkpoints_and_reread_counts_are_not_expected():
    clock, emit = FakeClock(), RecordingEmitter()
    progress = _progress(clock, emit)
    progress.resume({"Customer": 300}, {"Customer_active": {"entity": "Customer",
                                                             "counted": 900},
                                        "Customer_active#reread": {"entity": "Customer",
                                                                   "counted": 900}})

    progress.advance("Customer", 100)

    assert emit.sent[0]["data"]["rows_done"] == 400
    assert emit.sent[0]["data"]["rows_expected"] == 900


def test_an_incremental_entity_has_no_expected_count():
    clock, emit = FakeClock(), RecordingEmitter()
    _progress(clock, emit).advance("Payment", 7)

    assert emit.sent[0]["data"]["rows_expected"] is None
