"""Single-use invitation links (client portal and team), stored as digests, and portal
client identities."""
from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from clientsynq.auth.domain.records import ClientIdentity, Invitation
from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


class InvitationStore:
    def __init__(self, db: Database[Any]) -> None:
        self._invitations = db["invitations"]
        self._clients = db["clients"]
        self._redemptions = db["invitation_redemptions"]

    def add(self, invitation: Invitation, digest: str) -> None:
        self._invitations.insert_one({
            "_id": invitation.invitation_id, "tenant_id": invitation.tenant_id,
            "kind": invitation.kind, "email": invitation.email, "digest": digest,
            "customer_id": invitation.customer_id, "role": invitation.role,
            "created_at": invitation.created_at, "expires_at": invitation.expires_at,
            "created_by": invitation.created_by, "redeemed_at": None})

    def remove(self, tenant_id: str, invitation_id: str) -> None:
        """Undo an invitation whose email could not be sent."""
        self._invitations.delete_one({"_id": invitation_id, "tenant_id": tenant_id})

    def redeem(self, tenant_id: str, digest: str, kind: str, now: datetime) -> Invitation | None:
        """Single use even where updates are not atomic (FerretDB 1.x): the redemption is a
        unique insert, so of two clicks on the same link exactly one gets a session."""
        doc = self._invitations.find_one({"tenant_id": tenant_id, "digest": digest,
                                          "kind": kind, "expires_at": {"$gt": now}})
        if doc is None or doc.get("redeemed_at") is not None or doc.get("cancelled_at"):
            return None
        try:
            self._redemptions.insert_one({"_id": doc["_id"], "tenant_id": tenant_id,
                                          "redeemed_at": now})
        except DuplicateKeyError:
            return None
        self._invitations.update_one({"_id": doc["_id"], "tenant_id": tenant_id},
                                     {"$set": {"redeemed_at": now}})  # for listings only
        return _invitation({**doc, "redeemed_at": now})

    def cancel(self, tenant_id: str, invitation_id: str, now: datetime) -> bool:
        """Takes the link's single use (the same unique insert as a redemption), so a click
        racing the cancellation either got its session first or fails; False if the link
        was already used or cancelled."""
        try:
            self._redemptions.insert_one({"_id": invitation_id, "tenant_id": tenant_id,
                                          "cancelled_at": now})
        except DuplicateKeyError:
            return False
        self._invitations.update_one({"_id": invitation_id, "tenant_id": tenant_id},
                                     {"$set": {"cancelled_at": now}})
        return True

    def exists(self, tenant_id: str, kind: str, invitation_id: str) -> bool:
        return self._invitations.count_documents(
            {"_id": invitation_id, "tenant_id": tenant_id, "kind": kind}) == 1

    def pending_created_by(self, tenant_id: str, user_id: str,
                           now: datetime) -> list[Invitation]:
        cursor = self._invitations.find({"tenant_id": tenant_id, "created_by": user_id,
                                         "redeemed_at": None, "expires_at": {"$gt": now}})
        return [_invitation(doc) for doc in cursor if not doc.get("cancelled_at")]

    def list(self, tenant_id: str, kind: str, limit: int = 200) -> list[Invitation]:
        cursor = self._invitations.find({"tenant_id": tenant_id, "kind": kind})
        return [_invitation(doc) for doc in cursor.sort("created_at", DESCENDING).limit(limit)]

    def remember_client(self, tenant_id: str, customer_id: str, email: str,
                        now: datetime) -> None:
        """The portal identity: one per customer of a business, whatever the email."""
        self._clients.update_one(
            {"_id": f"{tenant_id}:{customer_id}", "tenant_id": tenant_id},
            {"$set": {"tenant_id": tenant_id, "customer_id": customer_id, "email": email,
                      "updated_at": now}, "$setOnInsert": {"created_at": now}}, upsert=True)

    def client_signed_in(self, tenant_id: str, customer_id: str, now: datetime) -> None:
        """A redeemed invitation (issued after any revocation) gives the access back."""
        self._clients.update_one({"_id": f"{tenant_id}:{customer_id}", "tenant_id": tenant_id},
                                 {"$set": {"last_login_at": now, "revoked_at": None}})

    def clients(self, tenant_id: str, limit: int = 500) -> builtins.list[ClientIdentity]:
        cursor = self._clients.find({"tenant_id": tenant_id}).sort("created_at", DESCENDING)
        return [_client(doc) for doc in cursor.limit(limit)]

    def revoke_client(self, tenant_id: str, customer_id: str, now: datetime) -> bool:
        result = self._clients.update_one({"_id": f"{tenant_id}:{customer_id}",
                                           "tenant_id": tenant_id},
                                          {"$set": {"revoked_at": now}})
        return result.matched_count == 1

    def is_client_active(self, tenant_id: str, customer_id: str) -> bool:
        doc = self._clients.find_one({"_id": f"{tenant_id}:{customer_id}",
                                      "tenant_id": tenant_id})
        return doc is not None and doc.get("revoked_at") is None

    def active_clients_by_email(self, email: str, limit: int = 20
                                ) -> builtins.list[ClientIdentity]:
        """The one lookup across businesses, as a login by email is: a client asking for a
        sign-in link names only their address. Capped so one address costs little."""
        cursor = self._clients.find({"email": email, "revoked_at": None}).limit(limit)
        return [_client(doc) for doc in cursor]

    def client_link_signed_in(self, tenant_id: str, customer_id: str, now: datetime) -> None:
        """Unlike an invitation, a sign-in link never gives revoked access back."""
        self._clients.update_one({"_id": f"{tenant_id}:{customer_id}", "tenant_id": tenant_id},
                                 {"$set": {"last_login_at": now}})

    def pending_for_customer(self, tenant_id: str, customer_id: str,
                             now: datetime) -> builtins.list[Invitation]:
        """Invitations and sign-in links alike: revoking a client kills both."""
        cursor = self._invitations.find({"tenant_id": tenant_id,
                                         "kind": {"$in": ["client", "client_link"]},
                                         "customer_id": customer_id, "redeemed_at": None,
                                         "expires_at": {"$gt": now}})
        return [_invitation(doc) for doc in cursor if not doc.get("cancelled_at")]


def _client(doc: dict[str, Any]) -> ClientIdentity:
    return ClientIdentity(tenant_id=doc["tenant_id"], customer_id=doc["customer_id"],
                          email=doc["email"], created_at=doc["created_at"],
                          last_login_at=doc.get("last_login_at"),
                          revoked_at=doc.get("revoked_at"))


def _invitation(doc: dict[str, Any]) -> Invitation:
    return Invitation(invitation_id=doc["_id"], tenant_id=doc["tenant_id"], kind=doc["kind"],
                      email=doc["email"], created_at=doc["created_at"],
                      expires_at=doc["expires_at"], created_by=doc["created_by"],
                      customer_id=doc.get("customer_id"), role=doc.get("role"),
                      redeemed_at=doc.get("redeemed_at"), cancelled_at=doc.get("cancelled_at"))
