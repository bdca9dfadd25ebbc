"""Concrete read models over one MongoDB read store (called only by `bootstrap`)."""
from __future__ import annotations

from clientsynq.common.mongo import ensure_indexes
from clientsynq.portal.adapters import (
    mongo_commands,
    mongo_customers,
    mongo_idempotency,
    mongo_invoices,
    mongo_payments,
    mongo_rate_limiter,
    mongo_state,
    mongo_sync_requests,
)
from clientsynq.portal.adapters.mongo_commands import MongoCommands
from clientsynq.portal.adapters.mongo_customers import MongoCustomers
from clientsynq.portal.adapters.mongo_invitations import MongoInvitationStatuses
from clientsynq.portal.adapters.mongo_invoices import MongoInvoices
from clientsynq.portal.adapters.mongo_payments import MongoPayments
from clientsynq.portal.adapters.mongo_state import MongoConnections, MongoSyncRuns
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.readmodels.ports import Clock, ReadModels

GENERATION_INDEXES = {
    mongo_invoices.COLLECTION: mongo_invoices.INDEXES,
    mongo_customers.COLLECTION: mongo_customers.INDEXES,
    mongo_payments.COLLECTION: mongo_payments.INDEXES,
    **mongo_state.INDEXES,
}
BASE_INDEXES = {mongo_commands.COLLECTION: mongo_commands.INDEXES,
                mongo_sync_requests.COLLECTION: mongo_sync_requests.INDEXES,
                mongo_idempotency.COLLECTION: mongo_idempotency.INDEXES,
                mongo_rate_limiter.COLLECTION: mongo_rate_limiter.INDEXES}
# Base-database collections whose documents carry outgoing events (see common.outbox).
OUTBOX_COLLECTIONS = (mongo_commands.COLLECTION, mongo_sync_requests.COLLECTION)


def mongo_read_models(store: MongoReadStore, clock: Clock) -> ReadModels:
    return ReadModels(invoices=MongoInvoices(store), customers=MongoCustomers(store),
                      payments=MongoPayments(store), connections=MongoConnections(store),
                      sync=MongoSyncRuns(store), commands=MongoCommands(store),
                      invitations=MongoInvitationStatuses(store), clock=clock)


def ensure_read_model_indexes(store: MongoReadStore) -> None:
    """At worker start and after a rebuild; safe to run again and by several replicas."""
    ensure_indexes(store.db(), GENERATION_INDEXES)
    ensure_indexes(store.base, BASE_INDEXES)
