"""Branding in the base database (`branding`, one document per business, _id = tenant)."""
from __future__ import annotations

from typing import Any

from bson import Binary
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.services.branding import Branding, Logo

COLLECTION = "branding"


class MongoBranding:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def get(self, tenant_id: str) -> Branding | None:
        doc: dict[str, Any] | None = self._store.base[COLLECTION].find_one(
            {"_id": tenant_id, "tenant_id": tenant_id})
        if doc is None:
            return None
        logo = Logo(doc["logo_type"], bytes(doc["logo"])) if doc.get("logo") else None
        return Branding(tenant_id, doc["color"], logo, doc.get("updated_at"))

    def save(self, branding: Branding) -> None:
        logo = branding.logo
        self._store.base[COLLECTION].replace_one({"_id": branding.tenant_id}, {
            "_id": branding.tenant_id, "tenant_id": branding.tenant_id, "color": branding.color,
            "logo": Binary(logo.data) if logo else None,
            "logo_type": logo.content_type if logo else None,
            "updated_at": branding.updated_at}, upsert=True)
