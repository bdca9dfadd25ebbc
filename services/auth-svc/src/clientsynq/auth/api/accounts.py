"""Sign-up, login, session refresh, logout and who-am-I."""
from __future__ import annotations

from clientsynq.auth.api.schemas import (
    LoginSchema,
    PasswordResetConfirmSchema,
    PasswordResetSchema,
    RefreshSchema,
    SignUpSchema,
)
from clientsynq.auth.api.web import (
    authenticated,
    body,
    clear_session,
    client_ip,
    deps,
    optional_body,
    session_response,
    set_session_cookies,
)
from clientsynq.auth.domain.errors import (
    EmailAlreadyRegistered,
    InvalidRefreshToken,
    InvitationInvalid,
)
from clientsynq.auth.services import accounts, audit, passwords, sessions, signup
from clientsynq.common.auth import REFRESH_COOKIE, current_principal
from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

bp = Blueprint("accounts", __name__, url_prefix="/auth/v1")


@bp.post("/signup")
def sign_up() -> Response:
    """202 for every well-formed sign-up, new or known email alike: with confirmation on
    the link comes by email; off (loopback test stacks) a new business exists at once and
    its owner signs in."""
    data = body(SignUpSchema)
    if deps().settings.signup_confirmation:
        signup.request_sign_up(deps(), accounts.SignUp(**data), client_ip())
    else:
        signup.sign_up_at_once(deps(), accounts.SignUp(**data), client_ip())
    return _check_your_email()


def _check_your_email() -> Response:
    response = jsonify(detail="Check your email: we sent you a link to confirm your "
                              "address.")
    response.status_code = 202
    return response


@bp.get("/signup/confirm")
def confirm_page() -> tuple[str, int]:
    """The emailed link: a page with a button, because mail scanners open links and the
    link is single use (only a person's click may spend it)."""
    token = request.args.get("token", "")[:128]
    return render_template("confirm_signup.html", token=token, action=request.path,
                           detail="This link is incomplete.",
                           signup_url=f"{deps().settings.portal_public_url}/signup"), 200


@bp.post("/signup/confirm")
def confirm() -> BaseResponse | tuple[str, int]:
    """The form's POST: the business is created, the browser signed in and sent on."""
    token = request.form.get("token", "")
    try:
        tokens = signup.confirm_sign_up(deps(), token)
    except (InvitationInvalid, EmailAlreadyRegistered) as err:
        return render_template("confirm_signup.html", token=None, detail=err.detail,
                               signup_url=f"{deps().settings.portal_public_url}/signup"), 404
    return set_session_cookies(redirect(deps().settings.portal_qbo_settings_url, code=303),
                               tokens)


@bp.post("/login")
def log_in() -> Response:
    data = body(LoginSchema)
    return session_response(accounts.log_in(deps(), data["email"], data["password"],
                                            client_ip()))


@bp.post("/password-reset")
def request_password_reset() -> Response:
    """202 whether or not the email has an account; the link goes by email."""
    passwords.request_reset(deps(), body(PasswordResetSchema)["email"], client_ip())
    return Response(status=202)


@bp.post("/password-reset/confirm")
def confirm_password_reset() -> Response:
    data = body(PasswordResetConfirmSchema)
    passwords.reset_password(deps(), data["token"], data["password"], client_ip())
    return Response(status=204)


@bp.post("/token/refresh")
def refresh() -> Response:
    """API clients send the refresh token in the body; browsers send their cookie."""
    data = optional_body(RefreshSchema)
    token = data["refresh_token"] or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise InvalidRefreshToken("A refresh token is required.")
    return session_response(sessions.refresh_session(deps(), token))


@bp.post("/logout")
def log_out() -> Response:
    data = optional_body(RefreshSchema)
    token = data["refresh_token"] or request.cookies.get(REFRESH_COOKIE)
    tenant_id = sessions.end_session(deps(), token)
    if tenant_id is not None:
        audit.record(deps(), tenant_id, "user.logout", None)
    return clear_session(Response(status=204))


@bp.get("/me")
@authenticated
def me() -> Response:
    principal = current_principal()
    return jsonify(subject=principal.subject, tenant_id=principal.tenant_id,
                   role=principal.role, plan=principal.plan, kind=principal.kind,
                   customer_id=principal.customer_id)
