"""Forgotten passwords: a single-use link by email, then a new password.

The request answers the same whether or not the email has an account (no enumeration),
and is rate limited per address and email before anything else. Choosing the new password
ends every session of the account: whoever knew the old one is signed out everywhere.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import InvitationInvalid, MailUnavailable
from clientsynq.auth.domain.scoped_tokens import make_scoped_token, tenant_of
from clientsynq.auth.services import audit
from clientsynq.auth.services.abuse import limit_attempts
from clientsynq.auth.services.accounts import normalize_email
from clientsynq.auth.services.sessions import end_all_sessions

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

RESET_PREFIX = "pwr"
RESET_TTL = timedelta(hours=1)


def request_reset(deps: Deps, email: str, client_ip: str) -> None:
    limit_attempts(deps, "password-reset", client_ip, email)
    user = deps.stores.users.find_by_email(normalize_email(email))
    if user is None:
        return  # the same 202: nobody learns whether the account exists
    now = deps.clock()
    token = make_scoped_token(RESET_PREFIX, user.tenant_id)
    deps.stores.password_resets.add(secret_digest(token), user.tenant_id, user.user_id, now,
                                    now + RESET_TTL)
    link = f"{deps.settings.portal_public_url}/reset-password/{token}"
    try:
        deps.mailer.send(user.email, "Reset your ClientSynq password",
                         "Someone asked to reset the password of this ClientSynq account. "
                         "If it was you, open this link within an hour (it works once):\n\n"
                         f"{link}\n\nIf it was not you, ignore this email.\n")
    except MailUnavailable:
        return  # the same answer either way; the person can ask again


def reset_password(deps: Deps, token: str, password: str, client_ip: str) -> None:
    limit_attempts(deps, "password-reset-confirm", client_ip)
    tenant_id = tenant_of(RESET_PREFIX, token)
    request = None if tenant_id is None else deps.stores.password_resets.use(
        tenant_id, secret_digest(token), deps.clock())
    user = None if request is None else deps.stores.users.get(request.tenant_id,
                                                              request.user_id)
    if request is None or user is None:
        raise InvitationInvalid("This password link is invalid, was already used, or "
                                "expired; ask for a new one.")
    deps.stores.users.set_password_hash(user.tenant_id, user.user_id,
                                        deps.passwords.hash(password))
    ended = end_all_sessions(deps, user.tenant_id, user.user_id)
    audit.record(deps, user.tenant_id, "user.password_reset", user.user_id,
                 sessions_revoked=ended, ip=client_ip)
