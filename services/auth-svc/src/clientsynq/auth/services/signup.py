"""Sign-up confirmed by email, so sign-up cannot tell whether an email has an account.

Every well-formed sign-up answers 202 after the same argon2 work. A new email receives a
link that creates the business and signs the person in; an email that already has an
account receives a note saying so (with the way to sign in or reset the password). Only the
mailbox's owner learns which it was.

Loopback test stacks may turn confirmation off (``sign_up_at_once``): a new email gets its
business at once (its owner then logs in), a known one the note above; both answer the same
202 as with confirmation, so that mode does not tell who has an account either.
"""
from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import new_secret, secret_digest
from clientsynq.auth.domain.errors import (
    EmailAlreadyRegistered,
    InvitationInvalid,
    MailUnavailable,
)
from clientsynq.auth.domain.records import PendingSignUp
from clientsynq.auth.services.abuse import limit_attempts
from clientsynq.auth.services.accounts import (
    SignUp,
    create_business,
    found_business,
    normalize_email,
)
from clientsynq.auth.services.sessions import SessionTokens

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

CONFIRM_TTL = timedelta(days=1)
CONFIRM_PATH = "/auth/v1/signup/confirm"


def request_sign_up(deps: Deps, request: SignUp, client_ip: str) -> None:
    limit_attempts(deps, "signup", client_ip, request.email)
    email = normalize_email(request.email)
    password_hash = deps.passwords.hash(request.password)  # the same work either way
    known = deps.stores.users.find_by_email(email) is not None
    try:
        if known:
            _tell_known(deps, email)
        else:
            _send_link(deps, PendingSignUp(request.business_name.strip(), email,
                                           password_hash))
    except MailUnavailable:
        return  # the same answer; the person can try again


def sign_up_at_once(deps: Deps, request: SignUp, client_ip: str) -> None:
    """Confirmation off: the business at once for a new email (its owner then signs in with
    the password just chosen); for a known one (or one a concurrent sign-up just took) the
    owner is mailed. The caller answers as confirmation mode does, whichever it was."""
    limit_attempts(deps, "signup", client_ip, request.email)
    email = normalize_email(request.email)
    password_hash = deps.passwords.hash(request.password)  # the same work either way
    with suppress(EmailAlreadyRegistered):
        if deps.stores.users.find_by_email(email) is None:
            # No mail: the person (a test stack) signs in with the password just chosen.
            found_business(deps, request.business_name, email, password_hash)
            return
    with suppress(MailUnavailable):  # the same answer; the person can try again
        _tell_known(deps, email)


def confirm_sign_up(deps: Deps, token: str) -> SessionTokens:
    pending = deps.stores.signup_requests.use(secret_digest(token), deps.clock())
    if pending is None:
        raise InvitationInvalid("This confirmation link is invalid, was already used, or "
                                "expired; sign up again.")
    return create_business(deps, pending.business_name, pending.email, pending.password_hash)


def _send_link(deps: Deps, pending: PendingSignUp) -> None:
    now = deps.clock()
    token = new_secret(32)
    deps.stores.signup_requests.add(secret_digest(token), pending, now, now + CONFIRM_TTL)
    link = f"{deps.settings.public_url}{CONFIRM_PATH}?token={token}"
    deps.mailer.send(pending.email, "Confirm your ClientSynq sign-up",
                     f"Open this link to create {pending.business_name} on ClientSynq and "
                     f"sign in (it works once, for a day):\n\n{link}\n")


def _tell_known(deps: Deps, email: str) -> None:
    portal = deps.settings.portal_public_url
    deps.mailer.send(email, "Your ClientSynq sign-up",
                     "Someone (perhaps you) tried to sign up with this email, which already "
                     f"has a ClientSynq account. Sign in at {portal}/login, or reset your "
                     f"password at {portal}/forgot-password.\n")
