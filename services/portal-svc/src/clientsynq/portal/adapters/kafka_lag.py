"""How far a consumer group is behind, per topic, asked from outside the group.

The worker's own consumer only knows the partitions assigned to it; this asks the broker
for the group's committed offsets and the topics' end offsets, so the figure covers every
replica of the worker and is still right while the group rebalances.
"""
from __future__ import annotations

from collections.abc import Sequence

from clientsynq.common.kafka import KafkaConnection
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition


class KafkaGroupLag:
    def __init__(self, conn: KafkaConnection, group_id: str, topics: Sequence[str]) -> None:
        self._conn, self._group, self._topics = conn, group_id, list(topics)
        self._admin = KafkaAdminClient(bootstrap_servers=conn.servers,
                                       client_id=f"{conn.client_id}-lag", **conn.client_options)
        self._consumer = KafkaConsumer(bootstrap_servers=conn.servers, group_id=None,
                                       client_id=f"{conn.client_id}-lag", **conn.client_options)

    def per_topic(self) -> dict[str, int]:
        """Logical topic → messages not yet committed by the group (0 when caught up)."""
        partitions = [TopicPartition(self._conn.topic(t), p) for t in self._topics
                      for p in sorted(self._consumer.partitions_for_topic(self._conn.topic(t))
                                      or ())]
        ends = self._consumer.end_offsets(partitions)
        group = self._conn.group(self._group)
        committed = self._admin.list_group_offsets({group: None}).get(group) or {}
        lag: dict[str, int] = {topic: 0 for topic in self._topics}
        for tp in partitions:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else 0
            lag[self._conn.logical(tp.topic)] += max(0, ends.get(tp, 0) - position)
        return lag

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()
