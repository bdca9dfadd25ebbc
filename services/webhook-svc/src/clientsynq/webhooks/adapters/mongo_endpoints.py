"""Endpoints and their health in MongoDB; signing secrets sealed with AES-256-GCM.

Two collections, one writer each (owner via the API; the delivery worker holding the
endpoint's lease), because FerretDB 1.x can lose one of two concurrent updates of a
document. Secrets are sealed with the service key ring, bound to tenant and endpoint, so a
database dump alone signs nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clientsynq.common.crypto import KeyRing, associated_data
from clientsynq.webhooks.domain.endpoints import Endpoint, EndpointHealth, EndpointSecret
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

ENDPOINTS = "endpoints"
HEALTH = "endpoint_health"


def endpoint_indexes() -> dict[str, list[IndexModel]]:
    return {ENDPOINTS: [IndexModel([("tenant_id", ASCENDING), ("event_types", ASCENDING)],
                                   name="tenant_types")],
            HEALTH: [IndexModel([("disabled_at", ASCENDING)], name="disabled")]}


class MongoEndpointStore:
    def __init__(self, db: Database[Any], keys: KeyRing) -> None:
        self._endpoints = db[ENDPOINTS]
        self._health = db[HEALTH]
        self._keys = keys

    def add(self, endpoint: Endpoint) -> None:
        self._endpoints.insert_one({"_id": endpoint.id, **self._fields(endpoint)})

    def save(self, endpoint: Endpoint) -> None:
        self._endpoints.update_one({"_id": endpoint.id, "tenant_id": endpoint.tenant_id},
                                   {"$set": self._fields(endpoint)})

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        doc = self._endpoints.find_one({"_id": endpoint_id, "tenant_id": tenant_id})
        return self._endpoint(doc) if doc is not None else None

    def get_any(self, endpoint_id: str) -> Endpoint | None:
        doc = self._endpoints.find_one({"_id": endpoint_id})
        return self._endpoint(doc) if doc is not None else None

    def list(self, tenant_id: str) -> Sequence[Endpoint]:
        docs = self._endpoints.find({"tenant_id": tenant_id}, sort=[("created_at", ASCENDING)])
        return [self._endpoint(doc) for doc in docs]

    def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        result = self._endpoints.delete_one({"_id": endpoint_id, "tenant_id": tenant_id})
        return result.deleted_count == 1

    def subscribed_ids(self, tenant_id: str, event_type: str) -> Sequence[str]:
        docs = self._endpoints.find({"tenant_id": tenant_id, "event_types": event_type},
                                    projection={"_id": 1})
        return sorted(str(doc["_id"]) for doc in docs)

    def save_health(self, health: EndpointHealth) -> None:
        self._health.update_one(
            {"_id": health.endpoint_id, "tenant_id": health.tenant_id},
            {"$set": {"failing_since": health.failing_since, "disabled_at": health.disabled_at,
                      "last_success_at": health.last_success_at}}, upsert=True)

    def count_disabled(self) -> int:
        disabled = 0
        for doc in self._health.find({"disabled_at": {"$ne": None}}):
            endpoint = self.get_any(doc["_id"])
            disabled += endpoint is not None and endpoint.is_disabled
        return disabled

    def _fields(self, endpoint: Endpoint) -> dict[str, Any]:
        bound = associated_data(endpoint.tenant_id, endpoint.id)
        return {"tenant_id": endpoint.tenant_id, "url": endpoint.url,
                "description": endpoint.description, "event_types": list(endpoint.event_types),
                "secrets": [{"sealed": self._keys.encrypt_text(s.value, bound),
                             "created_at": s.created_at, "expires_at": s.expires_at}
                            for s in endpoint.secrets],
                "paused": endpoint.paused, "resumed_at": endpoint.resumed_at,
                "alert_email": endpoint.alert_email, "created_at": endpoint.created_at,
                "updated_at": endpoint.updated_at}

    def _endpoint(self, doc: dict[str, Any]) -> Endpoint:
        bound = associated_data(doc["tenant_id"], doc["_id"])
        health = self._health.find_one({"_id": doc["_id"], "tenant_id": doc["tenant_id"]})
        return Endpoint(
            id=doc["_id"], tenant_id=doc["tenant_id"], url=doc["url"],
            description=doc["description"], event_types=tuple(doc["event_types"]),
            secrets=tuple(EndpointSecret(self._keys.decrypt_text(s["sealed"], bound),
                                         s["created_at"], s.get("expires_at"))
                          for s in doc["secrets"]),
            created_at=doc["created_at"], updated_at=doc["updated_at"], paused=doc["paused"],
            resumed_at=doc.get("resumed_at"), alert_email=doc.get("alert_email"),
            health=_health(health) if health is not None else None)


def _health(doc: dict[str, Any]) -> EndpointHealth:
    return EndpointHealth(endpoint_id=doc["_id"], tenant_id=doc["tenant_id"],
                          failing_since=doc.get("failing_since"),
                          disabled_at=doc.get("disabled_at"),
                          last_success_at=doc.get("last_success_at"))
