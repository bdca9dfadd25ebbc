"""Client portal invitations, as the business app's "Invite to portal" button asks for them.

auth-svc owns portal identities and mails the single-use link; portal keeps its own ledger
of who was invited (the customer list's "Invitation" column) in the base database, so the
list never calls auth-svc per row. auth-svc checks the caller's role and tenant itself:
the call is made with the user's own access token, never with a service credential.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from clientsynq.common.auth import Principal
from clientsynq.common.problems import ClientSynqError
from clientsynq.portal.domain.errors import CustomerNotFound
from clientsynq.portal.readmodels.ports import ReadModels


class CustomerHasNoEmail(ClientSynqError):
    slug, title, status = "customer-has-no-email", "The customer has no email in QuickBooks", 422


@dataclass(frozen=True)
class SentInvitation:
    invitation_id: str
    email: str
    expires_at: str | None


class ClientInvitationSender(Protocol):
    def invite_client(self, access_token: str, tenant_id: str, customer_id: str,
                      email: str) -> SentInvitation: ...


class InvitationLedger(Protocol):
    def record_invited(self, tenant_id: str, customer_id: str, sent: SentInvitation,
                       at: datetime) -> None: ...

    def record_accepted(self, tenant_id: str, customer_id: str, at: datetime) -> None:
        """Idempotent: only a pending invitation of that customer changes."""


def invite_client(read: ReadModels, sender: ClientInvitationSender, ledger: InvitationLedger,
                  who: Principal, access_token: str, customer_id: str) -> SentInvitation:
    """The help page: customers need a valid email in QuickBooks to receive an invitation."""
    customer = read.customers.get(who.tenant_id, customer_id)
    if customer is None or customer.deleted:
        raise CustomerNotFound(f"No customer {customer_id}.")
    if not customer.email:
        raise CustomerHasNoEmail("Add an email address to this customer in QuickBooks, sync, "
                                 "then invite them.")
    sent = sender.invite_client(access_token, who.tenant_id, customer_id, customer.email[0])
    ledger.record_invited(who.tenant_id, customer_id, sent, read.clock())
    return sent


def note_client_signed_in(read: ReadModels, ledger: InvitationLedger, who: Principal) -> None:
    if who.is_client and who.customer_id:
        ledger.record_accepted(who.tenant_id, who.customer_id, read.clock())
