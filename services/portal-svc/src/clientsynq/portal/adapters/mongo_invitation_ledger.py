"""The web layer's invitation ledger: the `invitations` collection of the base database,
read back by `MongoInvitationStatuses` (newest per customer wins)."""
from __future__ import annotations

from datetime import datetime

from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.services.invitations import SentInvitation

COLLECTION = "invitations"


class MongoInvitationLedger:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def record_invited(self, tenant_id: str, customer_id: str, sent: SentInvitation,
                       at: datetime) -> None:
        self._store.base[COLLECTION].insert_one({
            "_id": f"{tenant_id}:{sent.invitation_id}", "tenant_id": tenant_id,
            "customer_id": customer_id, "invitation_id": sent.invitation_id,
            "email": sent.email, "expires_at": sent.expires_at, "status": "invited",
            "created_at": at})

    def record_accepted(self, tenant_id: str, customer_id: str, at: datetime) -> None:
        self._store.base[COLLECTION].update_many(
            {"tenant_id": tenant_id, "customer_id": customer_id, "status": "invited"},
            {"$set": {"status": "accepted", "accepted_at": at}})
