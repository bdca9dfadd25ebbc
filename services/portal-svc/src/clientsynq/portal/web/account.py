"""Account pages: sign up, log in, forgot password, team invitation, client invitation and
client sign-in link.

Each is a form the page's script posts as JSON to auth-svc (same origin); auth-svc sets the
cookies. These views only render; a link's token is put in the form, never looked up here.
"""
from __future__ import annotations

from clientsynq.portal.web.session import cookie_principal, safe_next
from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

bp = Blueprint("account", __name__)


@bp.get("/")
def home() -> Response:
    found = cookie_principal()
    if found is None:
        return redirect("/login", code=303)
    return redirect("/portal" if found.is_client else "/settings/quickbooks", code=303)


@bp.get("/signup")
def signup() -> str:
    return render_template("account/signup.html", title="Sign up")


@bp.get("/login")
def login() -> str:
    return render_template("account/login.html", title="Log in",
                           next=safe_next(request.args.get("next"), "/"))


@bp.get("/forgot-password")
def forgot_password() -> str:
    return render_template("account/forgot.html", title="Forgot password")


@bp.get("/reset-password/<token>")
def reset_password(token: str) -> str:
    return render_template("account/reset.html", title="Choose a new password", token=token)


@bp.get("/join/<token>")
def join(token: str) -> str:
    return render_template("account/join.html", title="Join your team", token=token)


@bp.get("/portal/invite/<token>")
def client_invitation(token: str) -> str:
    """A button, not an automatic redemption: mail scanners open links, and the link is
    single use, so only a person's click may spend it."""
    return render_template("portal/invite.html", title="Your client portal", token=token)


@bp.get("/portal/signin/<token>")
def client_signin_link(token: str) -> str:
    """The sign-in link a returning client asked for; a click spends it, as an invitation's."""
    return render_template("portal/signin_link.html", title="Sign in to your portal",
                           token=token)
