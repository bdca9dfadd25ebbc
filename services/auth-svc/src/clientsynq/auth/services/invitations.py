"""Invitation links: portal clients (one customer of one business) and team members.

A link is a single-use secret that expires; only its digest is stored, and it names its
business so redeeming it is a tenant-scoped lookup like every other.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import (
    InvitationInvalid,
    InvitationNotFound,
    MailUnavailable,
    PlanRequired,
    RoleNotAllowed,
)
from clientsynq.auth.domain.model import SessionSubject, User
from clientsynq.auth.domain.records import Invitation
from clientsynq.auth.domain.scoped_tokens import make_scoped_token, tenant_of
from clientsynq.auth.services import audit
from clientsynq.auth.services.abuse import limit_attempts
from clientsynq.auth.services.accounts import get_tenant, normalize_email
from clientsynq.auth.services.authority import acting_member
from clientsynq.auth.services.branded_mail import (
    BRAND_PLANS,
    MailBranding,
    branding_from,
    invitation_html,
)
from clientsynq.auth.services.clients import client_session
from clientsynq.auth.services.sessions import SessionTokens, issue_session
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

CLIENT_PREFIX = "cli"
MEMBER_PREFIX = "mem"


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    link: str = field(repr=False)


def invite_client(deps: Deps, principal: Principal, customer_id: str, email: str,
                  branding: dict[str, Any] | None = None) -> Invitation:
    """Owners and admins only (read from the database): a portal identity is a credential
    to a customer's invoices, and a member must not hand one to themselves. `branding`
    (Pro and Enterprise; ignored on Basic) dresses the email in the business's colours."""
    acting_member(deps, principal)
    tenant = get_tenant(deps, principal.tenant_id)
    brand = branding_from(branding) if tenant.plan in BRAND_PLANS else None
    email = normalize_email(email)
    sent = _create(deps, principal, "client", email, customer_id=customer_id)
    deps.stores.invitations.remember_client(tenant.tenant_id, customer_id, email, deps.clock())
    _send(deps, sent, f"{tenant.name} invited you to their client portal",
          f"{tenant.name} shares your invoices and payments with you on ClientSynq.",
          business=tenant.name, brand=brand)
    audit.record(deps, tenant.tenant_id, "client_invitation.created", principal.subject,
                 invitation_id=sent.invitation.invitation_id, customer_id=customer_id)
    return sent.invitation


def redeem_client_invitation(deps: Deps, token: str, client_ip: str) -> SessionTokens:
    limit_attempts(deps, "redeem", client_ip)
    invitation = _redeem(deps, token, "client", CLIENT_PREFIX)
    customer_id, tenant_id = invitation.customer_id or "", invitation.tenant_id
    deps.stores.invitations.client_signed_in(tenant_id, customer_id, deps.clock())
    audit.record(deps, tenant_id, "client_invitation.redeemed", None,
                 invitation_id=invitation.invitation_id, customer_id=customer_id)
    return client_session(deps, tenant_id, customer_id)


def invite_member(deps: Deps, principal: Principal, email: str, role: str) -> Invitation:
    """Pro and Enterprise have teams; the plan is read from the database, not the token."""
    tenant = get_tenant(deps, principal.tenant_id)
    if not tenant.has_team:
        raise PlanRequired("Team members are part of the Pro and Enterprise plans.",
                           required_plans=["pro", "enterprise"])
    actor = acting_member(deps, principal)
    if role == "owner" and actor.role != "owner":
        raise RoleNotAllowed("Only an owner can invite another owner.")
    email = normalize_email(email)
    sent = _create(deps, principal, "member", email, role=role)
    # The same answer whether or not the email has an account, so inviting cannot be used
    # to learn who uses ClientSynq; only the mailbox's owner learns it cannot join.
    if deps.stores.users.find_by_email(email) is not None:
        _send_without_link(deps, sent, f"Your invitation to {tenant.name} on ClientSynq",
                           f"{tenant.name} invited you to ClientSynq, but this email already "
                           "belongs to a ClientSynq account, and one login belongs to one "
                           "business. Ask them to invite another address of yours.")
    else:
        _send(deps, sent, f"Join {tenant.name} on ClientSynq",
              f"You were invited to {tenant.name} on ClientSynq as {role}.")
    audit.record(deps, tenant.tenant_id, "member.invited", principal.subject,
                 invitation_id=sent.invitation.invitation_id, role=role)
    return sent.invitation


def accept_member_invitation(deps: Deps, token: str, password: str,
                             client_ip: str) -> SessionTokens:
    limit_attempts(deps, "accept", client_ip)
    invitation = _redeem(deps, token, "member", MEMBER_PREFIX)
    tenant = get_tenant(deps, invitation.tenant_id)
    user = User(user_id=uuid.uuid4().hex, tenant_id=tenant.tenant_id, email=invitation.email,
                role=invitation.role or "member", created_at=deps.clock(),
                password_hash=deps.passwords.hash(password))
    deps.stores.users.add(user)
    audit.record(deps, tenant.tenant_id, "member.joined", user.user_id, role=user.role)
    return issue_session(deps, SessionSubject(tenant.tenant_id, user.user_id, "user"),
                         user.role, tenant.plan)


def list_invitations(deps: Deps, tenant_id: str, kind: str) -> list[Invitation]:
    return deps.stores.invitations.list(tenant_id, kind)


def cancel_invitation(deps: Deps, principal: Principal, kind: str, invitation_id: str) -> None:
    """A pending link stops working at once; cancelling twice (or a used link) is a no-op."""
    acting_member(deps, principal)
    if not deps.stores.invitations.exists(principal.tenant_id, kind, invitation_id):
        raise InvitationNotFound()
    if deps.stores.invitations.cancel(principal.tenant_id, invitation_id, deps.clock()):
        audit.record(deps, principal.tenant_id, f"{kind}_invitation.cancelled",
                     principal.subject, invitation_id=invitation_id)


def cancel_invitations_by(deps: Deps, tenant_id: str, user_id: str) -> int:
    """A removed member's pending invitations (team and client) die with them."""
    now = deps.clock()
    pending = deps.stores.invitations.pending_created_by(tenant_id, user_id, now)
    return sum(deps.stores.invitations.cancel(tenant_id, i.invitation_id, now) for i in pending)


def _create(deps: Deps, principal: Principal, kind: str, email: str,
            customer_id: str | None = None, role: str | None = None) -> SentInvitation:
    now = deps.clock()
    prefix = CLIENT_PREFIX if kind == "client" else MEMBER_PREFIX
    token = make_scoped_token(prefix, principal.tenant_id)
    invitation = Invitation(
        invitation_id=uuid.uuid4().hex, tenant_id=principal.tenant_id, kind=kind, email=email,
        created_at=now, expires_at=now + timedelta(seconds=deps.settings.invitation_ttl_seconds),
        created_by=principal.subject, customer_id=customer_id, role=role)
    deps.stores.invitations.add(invitation, secret_digest(token))
    path = "portal/invite" if kind == "client" else "join"
    return SentInvitation(invitation, f"{deps.settings.portal_public_url}/{path}/{token}")


def _send(deps: Deps, sent: SentInvitation, subject: str, intro: str, business: str = "",
          brand: MailBranding | None = None) -> None:
    """No email, no invitation: a link nobody received must not stay redeemable."""
    invitation = sent.invitation
    expires = f"{invitation.expires_at:%Y-%m-%d %H:%M}"
    body = (f"{intro}\n\nOpen this link to continue (it works once and expires on "
            f"{expires} UTC):\n\n{sent.link}\n")
    html = (invitation_html(business, intro, sent.link, expires, brand)
            if brand is not None else None)
    images = [brand.logo] if brand is not None and brand.logo is not None else []
    try:
        deps.mailer.send(invitation.email, subject, body, html=html, images=images)
    except MailUnavailable:
        deps.stores.invitations.remove(invitation.tenant_id, invitation.invitation_id)
        raise


def _send_without_link(deps: Deps, sent: SentInvitation, subject: str, body: str) -> None:
    invitation = sent.invitation
    try:
        deps.mailer.send(invitation.email, subject, body + "\n")
    except MailUnavailable:
        deps.stores.invitations.remove(invitation.tenant_id, invitation.invitation_id)
        raise


def _redeem(deps: Deps, token: str, kind: str, prefix: str) -> Invitation:
    tenant_id = tenant_of(prefix, token)
    if tenant_id is None:
        raise InvitationInvalid()
    invitation = deps.stores.invitations.redeem(tenant_id, secret_digest(token), kind,
                                                deps.clock())
    if invitation is None:
        raise InvitationInvalid("This invitation link is invalid, was already used, or "
                                "expired; ask for a new one.")
    return invitation
