"""Client portal access: who has it, and taking it away.

A client session is a refresh-token family like a user's, so revoking a customer's access
ends every sign-in of theirs (their access tokens are refused within seconds, see
``sessions``), cancels the links still pending for that customer, and marks the identity
revoked, which every refresh checks. A new invitation gives the access back.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import ClientNotFound
from clientsynq.auth.domain.model import SessionSubject
from clientsynq.auth.domain.records import ClientIdentity
from clientsynq.auth.services import audit
from clientsynq.auth.services.accounts import get_tenant
from clientsynq.auth.services.authority import acting_member
from clientsynq.auth.services.sessions import SessionTokens, end_all_sessions, issue_session
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps


def client_subject(customer_id: str) -> str:
    return f"client:{customer_id}"


def client_session(deps: Deps, tenant_id: str, customer_id: str) -> SessionTokens:
    """A client session, from an invitation or a sign-in link alike: one customer of one
    business, the plan read from the database."""
    tenant = get_tenant(deps, tenant_id)
    subject = SessionSubject(tenant_id=tenant.tenant_id, subject=client_subject(customer_id),
                             kind="client", customer_id=customer_id)
    return issue_session(deps, subject, "client", tenant.plan)


def list_clients(deps: Deps, principal: Principal) -> list[ClientIdentity]:
    acting_member(deps, principal)
    return deps.stores.invitations.clients(principal.tenant_id)


def revoke_client(deps: Deps, principal: Principal, customer_id: str) -> None:
    """Owners and admins (read from the database); idempotent."""
    acting_member(deps, principal)
    tenant_id, now = principal.tenant_id, deps.clock()
    store = deps.stores.invitations
    if not store.revoke_client(tenant_id, customer_id, now):
        raise ClientNotFound()
    cancelled = sum(store.cancel(tenant_id, i.invitation_id, now)
                    for i in store.pending_for_customer(tenant_id, customer_id, now))
    sessions = end_all_sessions(deps, tenant_id, client_subject(customer_id))
    audit.record(deps, tenant_id, "client.revoked", principal.subject, customer_id=customer_id,
                 sessions_revoked=sessions, invitations_cancelled=cancelled)
