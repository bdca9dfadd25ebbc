"""ClientSynq events: the CloudEvents envelope and one schema per topic.

Import from here (``from clientsynq.common.events import new_event, decode_event``); the
submodules are an implementation detail.
"""

from clientsynq.common.events.envelope import (
    Event,
    decode_event,
    encode_event,
    load_event,
    new_event,
)
from clientsynq.common.events.errors import EventValidationError
from clientsynq.common.events.fast_envelope import DATACONTENTTYPE, SPECVERSION
from clientsynq.common.events.fields import ENTITIES, format_time
from clientsynq.common.events.money import parse_money, to_money_str
from clientsynq.common.events.topics import (
    COMMAND_FAILED,
    COMMAND_SUCCEEDED,
    CONNECTION_CHANGED,
    CUSTOMER_UPDATED,
    INVOICE_CREATE_REQUESTED,
    INVOICE_UPDATED,
    PAYMENT_RECORD_REQUESTED,
    PAYMENT_RECORDED,
    QBO_ENTITY_CHANGED,
    SYNC_COMPLETED,
    SYNC_FAILED,
    SYNC_PROGRESS,
    SYNC_REQUESTED,
    TOPICS,
    TopicSpec,
    all_topic_names,
    dlq_topic,
)

__all__ = [
    "COMMAND_FAILED",
    "COMMAND_SUCCEEDED",
    "CONNECTION_CHANGED",
    "CUSTOMER_UPDATED",
    "DATACONTENTTYPE",
    "ENTITIES",
    "INVOICE_CREATE_REQUESTED",
    "INVOICE_UPDATED",
    "PAYMENT_RECORDED",
    "PAYMENT_RECORD_REQUESTED",
    "QBO_ENTITY_CHANGED",
    "SPECVERSION",
    "SYNC_COMPLETED",
    "SYNC_FAILED",
    "SYNC_PROGRESS",
    "SYNC_REQUESTED",
    "TOPICS",
    "Event",
    "EventValidationError",
    "TopicSpec",
    "all_topic_names",
    "decode_event",
    "dlq_topic",
    "encode_event",
    "format_time",
    "load_event",
    "new_event",
    "parse_money",
    "to_money_str",
]
