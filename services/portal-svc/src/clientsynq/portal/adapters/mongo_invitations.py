"""Invitation statuses as the customer list shows them.

The invitations themselves belong to the web layer (it creates and redeems them); this
adapter only reads the `invitations` collection of the base database, whose documents
carry `tenant_id`, `customer_id`, `status` and `created_at`. The newest per customer wins.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import cast

from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.views import InvitationStatus
from pymongo import ASCENDING

COLLECTION = "invitations"
_KNOWN = ("invited", "accepted", "expired", "revoked")


class MongoInvitationStatuses:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def statuses(self, tenant_id: str,
                 customer_ids: Collection[str]) -> Mapping[str, InvitationStatus]:
        if not customer_ids:
            return {}
        docs = self._store.base[COLLECTION].find(
            {"tenant_id": tenant_id, "customer_id": {"$in": list(customer_ids)}},
            projection={"customer_id": 1, "status": 1, "created_at": 1},
            sort=[("created_at", ASCENDING)])
        found: dict[str, InvitationStatus] = {}
        for doc in docs:  # ascending: the newest overwrites
            if doc.get("status") in _KNOWN:
                found[doc["customer_id"]] = cast(InvitationStatus, doc["status"])
        return found
