"""Read topics from the first offset to a fixed end, outside any consumer group: the
rebuild's view of history, which must not move the live worker's committed offsets."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from clientsynq.common.events import Event, EventValidationError, decode_event
from clientsynq.common.kafka import KafkaConnection
from kafka import KafkaConsumer, TopicPartition

log = logging.getLogger(__name__)
Offsets = dict[TopicPartition, int]


class KafkaReplay:
    def __init__(self, conn: KafkaConnection, topics: Sequence[str]) -> None:
        self._conn = conn
        self._consumer = KafkaConsumer(bootstrap_servers=conn.servers, group_id=None,
                                       enable_auto_commit=False,
                                       client_id=f"{conn.client_id}-replay",
                                       **conn.fetch_options)
        self._partitions = [TopicPartition(conn.topic(t), p) for t in topics
                            for p in sorted(self._consumer.partitions_for_topic(conn.topic(t))
                                            or ())]
        self._consumer.assign(self._partitions)

    def end_offsets(self) -> Offsets:
        return dict(self._consumer.end_offsets(self._partitions))

    def replay(self, handle: Callable[[Event], None], start: Mapping[TopicPartition, int] | None,
               end: Mapping[TopicPartition, int]) -> int:
        """Every event in [start, end) (start None: the beginning); returns how many.
        An event that fails validation is skipped: the live worker dead-lettered it too."""
        for tp in self._partitions:
            if start is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, start.get(tp, 0))
        remaining = {tp for tp in self._partitions if self._consumer.position(tp) < end[tp]}
        count = 0
        while remaining:
            for tp, records in self._consumer.poll(timeout_ms=1000, max_records=2000).items():
                for record in records:
                    if record.offset >= end[tp]:
                        break
                    count += self._apply(record.topic, record.value, handle)
                if self._consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        return count

    def _apply(self, topic: str, value: bytes, handle: Callable[[Event], None]) -> int:
        try:
            event = decode_event(value, self._conn.logical(topic))
        except EventValidationError:
            return 0
        handle(event)
        return 1

    def close(self) -> None:
        self._consumer.close()
