"""What a test reads back from its own Kafka topics: every event from the beginning, as JSON."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer
from waiting import wait_until

Events = list[dict[str, Any]]


@dataclass
class KafkaReader:
    """Reads `topics` (logical names, under the connection's prefix) without a group;
    `until` polls until a condition over everything read so far holds."""

    conn: Any
    topics: Iterable[str]
    events: Events = field(default_factory=list)

    def __post_init__(self) -> None:
        self.consumer = KafkaConsumer(*[self.conn.topic(t) for t in self.topics],
                                      bootstrap_servers=self.conn.servers,
                                      auto_offset_reset="earliest", enable_auto_commit=False,
                                      group_id=None, **self.conn.fetch_options)

    def poll(self) -> Events:
        for records in self.consumer.poll(timeout_ms=200, max_records=5000).values():
            self.events.extend(json.loads(record.value) for record in records)
        return self.events

    def until(self, condition: Callable[[Events], bool], timeout: float = 60) -> Events:
        try:
            wait_until(lambda: condition(self.poll()), timeout, "events on Kafka")
        except AssertionError as timed_out:
            raise AssertionError(f"{timed_out}; {len(self.events)} events: "
                                 f"{summary(self.events)}") from None
        return self.events

    def of(self, event_type: str) -> Events:
        return [e for e in self.events if e["type"] == event_type]

    def close(self) -> None:
        self.consumer.close()


def summary(events: Events) -> dict[str, int]:
    """How many events of each type (what a timeout message shows)."""
    counts: dict[str, int] = {}
    for event in events:
        counts[event["type"]] = counts.get(event["type"], 0) + 1
    return counts
