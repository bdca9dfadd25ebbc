"""Pro commands in MongoDB (base database: they start from the API, not from an event).

A new command and the event that asks sync-svc to carry it out are one document: the
outbox relay publishes the event, so the request is never saved without being sent. Its
outcome is a second, insert-only document: the command document is then written once and
left to the relay (FerretDB applies updates read-then-write; see common.outbox).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes
from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import doc_id
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import CommandStatus
from pymongo.errors import DuplicateKeyError

COLLECTION, OUTCOMES = "commands", "command_outcomes"
INDEXES = outbox_indexes()
_OUTCOME_FIELDS = ("state", "settled_at", "entity_id", "reason", "code")


class MongoCommands:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.base[COLLECTION]

    def get(self, tenant_id: str, command_id: str) -> CommandStatus | None:
        key = {"_id": doc_id(tenant_id, command_id), "tenant_id": tenant_id}
        doc = self._coll().find_one(key)
        outcome = self._store.base[OUTCOMES].find_one(key)
        if doc is None and outcome is None:
            return None
        if doc is None or outcome is None:
            return from_doc(CommandStatus, doc or outcome or {})
        settled = {k: outcome[k] for k in _OUTCOME_FIELDS if k in outcome}
        return from_doc(CommandStatus, {**doc, **settled})

    def add(self, command: CommandStatus, envelope: Mapping[str, Any]) -> bool:
        """False if a command with this id exists already (a retried request)."""
        doc = {"_id": doc_id(command.tenant_id, command.command_id), **to_doc(command),
               **outbox_fields([envelope])}
        try:
            self._coll().insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def settle(self, settled: CommandStatus) -> bool:
        """The first outcome wins; a redelivered one collides on `_id` and changes nothing."""
        doc = {"_id": doc_id(settled.tenant_id, settled.command_id), **to_doc(settled)}
        try:
            self._store.base[OUTCOMES].insert_one(doc)
        except DuplicateKeyError:
            return False
        return True
