"""Waits that heal: Intuit's 60 s after a 429 without Retry-After, and growing delays
between automatic retries of a failed run or an unresolved command."""
from __future__ import annotations

from datetime import timedelta

from clientsynq.sync.adapters.commands import retry_delay as command_delay
from clientsynq.sync.adapters.qbo_errors import throttle_pause
from clientsynq.sync.config import QboSettings
from clientsynq.sync.engine.healing import retry_delay


def test_a_429_without_retry_after_pauses_the_realm_a_minute_as_intuit_advises():
    advised = QboSettings(base_url="https://qbo").throttle_pause_seconds
    assert throttle_pause(None, advised) == 60.0
    assert throttle_pause(7.0, advised) == 7.0


def test_failed_runs_are_retried_with_doubling_delays_capped_at_an_hour():
    assert [retry_delay(n, 60) for n in (1, 2, 3)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert retry_delay(20, 60) == timedelta(hours=1)
    assert command_delay(1) == timedelta(seconds=30) and command_delay(30) == timedelta(hours=1)
