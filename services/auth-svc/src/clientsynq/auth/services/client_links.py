"""Sign-in links for returning portal clients: an invitation is spent on the first visit, so
later visits ask for a link by email.

Asking answers the same whatever the email (nobody learns who is whose client); each active
identity of that address (one customer of one business) gets its own link to its business's
portal. A link is an invitation of kind ``client_link``: single use, short-lived, stored as
a digest, named by its tenant. Unlike an invitation, redeeming one never gives revoked
access back: a revoked identity gets no link, and its pending links die with the revocation.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import ClientAccessRevoked, InvitationInvalid, MailUnavailable
from clientsynq.auth.domain.records import ClientIdentity, Invitation
from clientsynq.auth.domain.scoped_tokens import make_scoped_token, tenant_of
from clientsynq.auth.services import audit
from clientsynq.auth.services.abuse import limit_attempts
from clientsynq.auth.services.accounts import get_tenant, normalize_email
from clientsynq.auth.services.clients import client_session, client_subject
from clientsynq.auth.services.sessions import SessionTokens

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

LINK_PREFIX = "cml"
LINK_KIND = "client_link"
LINK_TTL = timedelta(minutes=15)


def request_links(deps: Deps, email: str, client_ip: str) -> None:
    """The same 202 for every address; rate limited per network and per email because each
    request sends mail."""
    limit_attempts(deps, "client-magic-link", client_ip, email)
    for identity in deps.stores.invitations.active_clients_by_email(normalize_email(email)):
        _send_link(deps, identity)


def redeem_link(deps: Deps, token: str, client_ip: str) -> SessionTokens:
    limit_attempts(deps, "redeem", client_ip)
    tenant_id = tenant_of(LINK_PREFIX, token)
    link = None if tenant_id is None else deps.stores.invitations.redeem(
        tenant_id, secret_digest(token), LINK_KIND, deps.clock())
    if link is None:
        raise InvitationInvalid("This sign-in link is invalid, was already used, or expired; "
                                "ask for a new one on the portal's sign-in page.")
    customer_id, store = link.customer_id or "", deps.stores.invitations
    if not store.is_client_active(link.tenant_id, customer_id):
        raise ClientAccessRevoked("The business withdrew your access to this portal; ask "
                                  "them to invite you again.")
    store.client_link_signed_in(link.tenant_id, customer_id, deps.clock())
    audit.record(deps, link.tenant_id, "client_link.redeemed", None,
                 invitation_id=link.invitation_id, customer_id=customer_id)
    return client_session(deps, link.tenant_id, customer_id)


def _send_link(deps: Deps, identity: ClientIdentity) -> None:
    tenant, now = get_tenant(deps, identity.tenant_id), deps.clock()
    token = make_scoped_token(LINK_PREFIX, tenant.tenant_id)
    link = Invitation(invitation_id=uuid.uuid4().hex, tenant_id=tenant.tenant_id,
                      kind=LINK_KIND, email=identity.email, created_at=now,
                      expires_at=now + LINK_TTL, created_by=client_subject(identity.customer_id),
                      customer_id=identity.customer_id)
    deps.stores.invitations.add(link, secret_digest(token))
    url = f"{deps.settings.portal_public_url}/portal/signin/{token}"
    try:
        deps.mailer.send(identity.email, f"Sign in to {tenant.name}'s client portal",
                         f"Someone asked to sign in to {tenant.name}'s client portal on "
                         "ClientSynq with this email. If it was you, open this link within "
                         f"15 minutes (it works once):\n\n{url}\n\n"
                         "If it was not you, ignore this email.\n")
    except MailUnavailable:
        deps.stores.invitations.remove(tenant.tenant_id, link.invitation_id)
        return  # the same answer either way; the client can ask again
    audit.record(deps, tenant.tenant_id, "client_link.sent", None,
                 invitation_id=link.invitation_id, customer_id=identity.customer_id)
