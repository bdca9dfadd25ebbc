"""The run threads' polling (engine.executor, issue 17): a tenant is tried once a poll,
and idle threads take turns, so a waiting worker does not query the work queue once per
thread."""
from __future__ import annotations

from typing import Any

from clientsynq.sync.engine.executor import IDLE_SECONDS, RunExecutor
from fakes import FakeClock, FakeRunner, FakeRunQueue


def _executor(runs: list[dict[str, Any]], leased: set[str]
              ) -> tuple[RunExecutor, FakeRunQueue, FakeRunner, FakeClock]:
    clock, queue, runner = FakeClock(), FakeRunQueue(runs), FakeRunner(leased)
    return RunExecutor(queue, runner, 4, monotonic=clock.monotonic), queue, runner, clock  # type: ignore[arg-type]


def test_a_tenant_whose_realm_is_taken_is_tried_once_a_poll() -> None:
    runs = [{"_id": "r1", "tenant_id": "t1"}, {"_id": "r2", "tenant_id": "t1"},
            {"_id": "r3", "tenant_id": "t1"}, {"_id": "r4", "tenant_id": "t2"}]
    executor, _, runner, _ = _executor(runs, leased={"t1"})
    assert executor.run_next() is True
    assert runner.tried == ["r1", "r4"]


def test_nothing_runnable_means_false_after_one_try_per_tenant() -> None:
    runs = [{"_id": "r1", "tenant_id": "t1"}, {"_id": "r2", "tenant_id": "t1"}]
    executor, _, runner, _ = _executor(runs, leased={"t1"})
    assert executor.run_next() is False
    assert runner.tried == ["r1"]


def test_idle_threads_take_turns_to_poll() -> None:
    executor, _, _, clock = _executor([], leased=set())
    assert executor.idle_turn() is True
    assert [executor.idle_turn() for _ in range(3)] == [False, False, False]
    clock.advance(IDLE_SECONDS)
    assert executor.idle_turn() is True
