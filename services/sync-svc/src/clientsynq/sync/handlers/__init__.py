"""One function per event sync-svc consumes; `dispatch` routes by event type."""
from __future__ import annotations

from collections.abc import Callable

from clientsynq.common.events import (
    CONNECTION_CHANGED,
    INVOICE_CREATE_REQUESTED,
    PAYMENT_RECORD_REQUESTED,
    QBO_ENTITY_CHANGED,
    SYNC_REQUESTED,
    Event,
)
from clientsynq.sync.handlers.commands import on_write_requested
from clientsynq.sync.handlers.connections import on_connection_changed
from clientsynq.sync.handlers.entity_changes import on_entity_changed
from clientsynq.sync.handlers.ports import HandlerDeps
from clientsynq.sync.handlers.sync_requests import on_sync_requested

Handler = Callable[[Event, HandlerDeps], None]
HANDLERS: dict[str, Handler] = {
    CONNECTION_CHANGED: on_connection_changed,
    SYNC_REQUESTED: on_sync_requested,
    QBO_ENTITY_CHANGED: on_entity_changed,
    INVOICE_CREATE_REQUESTED: on_write_requested,
    PAYMENT_RECORD_REQUESTED: on_write_requested,
}
TOPICS = tuple(HANDLERS)


def dispatcher(deps: HandlerDeps) -> Callable[[Event], None]:
    def dispatch(event: Event) -> None:
        HANDLERS[event.type](event, deps)
    return dispatch
