"""Kafka for every service: one producer, one consumer runner, one topic bootstrap.

Everything here speaks ClientSynq events (`clientsynq.common.events`): the producer
validates before sending, the consumer validates before handing over, and anything
invalid ends up in `<topic>.dlq` with the reason in a header.
"""
from clientsynq.common.kafka.connection import KafkaConnection
from clientsynq.common.kafka.consumer import ConsumerRunner, HandlerFailed
from clientsynq.common.kafka.producer import EventProducer, PublishFailed
from clientsynq.common.kafka.topics import ensure_topics

__all__ = [
    "ConsumerRunner",
    "EventProducer",
    "HandlerFailed",
    "KafkaConnection",
    "PublishFailed",
    "ensure_topics",
]
