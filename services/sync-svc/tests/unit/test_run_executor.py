"""The run threads' polling (engine.executor, issue 17): a tenant is tried once a poll,
a tenant whose realm is leased elsewhere is not tried again for a few seconds, a process's
threads share one poll for a second, and idle threads take turns, so a worker does not
query the work queue once per thread or once per finished run."""
from __future__ import annotations

from typing import Any

from clientsynq.sync.engine.executor import (
    HELD_SKIP_SECONDS,
    IDLE_SECONDS,
    SNAPSHOT_SECONDS,
    RunExecutor,
)
from sync_fakes import FakeClock, FakeRunner, FakeRunQueue


def _executor(runs: list[dict[str, Any]], leased: set[str], held_seconds: float = 30.0
              ) -> tuple[RunExecutor, FakeRunQueue, FakeRunner, FakeClock]:
    clock, queue, runner = FakeClock(), FakeRunQueue(runs), FakeRunner(leased, held_seconds)
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


def test_a_tenant_leased_elsewhere_is_skipped_for_a_few_seconds_then_tried_again() -> None:
    runs = [{"_id": "r1", "tenant_id": "t1"}, {"_id": "r2", "tenant_id": "t2"}]
    executor, _, runner, clock = _executor(runs, leased={"t1", "t2"})
    assert executor.run_next() is False
    assert executor.run_next() is False  # neither read again: both known taken
    assert runner.tried == ["r1", "r2"]
    clock.advance(HELD_SKIP_SECONDS)
    runner.leased_elsewhere = {"t2"}
    assert executor.run_next() is True
    assert runner.tried == ["r1", "r2", "r1"]


def test_a_lease_expiring_sooner_is_tried_again_when_it_expires() -> None:
    """A run whose worker died is resumed once its lease lapses, not a skip later."""
    executor, _, runner, clock = _executor([{"_id": "r1", "tenant_id": "t1"}], leased={"t1"},
                                           held_seconds=1.0)
    assert executor.run_next() is False
    clock.advance(0.5)
    assert executor.run_next() is False
    clock.advance(0.5)
    runner.leased_elsewhere = set()
    assert executor.run_next() is True
    assert runner.tried == ["r1", "r1"]


def test_the_threads_share_one_poll_for_a_second_and_never_take_a_run_twice() -> None:
    runs = [{"_id": "r1", "tenant_id": "t1"}, {"_id": "r2", "tenant_id": "t2"}]
    executor, queue, runner, clock = _executor(runs, leased=set())
    assert executor.run_next() is True
    assert executor.run_next() is True
    assert executor.run_next() is False  # both taken from this poll already
    assert (queue.polls, runner.tried) == (1, ["r1", "r2"])
    clock.advance(SNAPSHOT_SECONDS)
    queue.runs = [{"_id": "r3", "tenant_id": "t1"}]
    assert executor.run_next() is True
    assert (queue.polls, runner.tried) == (2, ["r1", "r2", "r3"])


def test_a_run_finished_elsewhere_since_the_poll_is_not_tried() -> None:
    """The shared poll is up to a second old: a run another process finished meanwhile
    costs one read, not a lease."""
    runs = [{"_id": "r1", "tenant_id": "t1"}, {"_id": "r2", "tenant_id": "t2"}]
    executor, queue, runner, _ = _executor(runs, leased=set())
    executor._candidates()  # the poll
    queue.runs = [{"_id": "r1", "tenant_id": "t1", "status": "completed"}, runs[1]]
    assert executor.run_next() is True  # dropped at once: the thread looks again
    assert runner.tried == []
    assert executor.run_next() is True
    assert runner.tried == ["r2"]


def test_a_nudge_polls_again_at_the_next_idle_turn_within_the_shared_second() -> None:
    """A run this process's consumer has just queued is found at the next idle turn, not
    when the shared poll ages out (up to a second later)."""
    executor, queue, runner, clock = _executor([], leased=set())
    assert executor.run_next() is False
    queue.runs = [{"_id": "r1", "tenant_id": "t1"}]
    clock.advance(IDLE_SECONDS)
    assert executor.run_next() is False  # the shared poll predates r1
    executor.nudge()
    assert executor.run_next() is True
    assert (queue.polls, runner.tried) == (2, ["r1"])
