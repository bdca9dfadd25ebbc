"""Request bodies: unknown fields are refused (marshmallow's RAISE), lengths are bounded."""
from __future__ import annotations

from clientsynq.auth.domain.model import (
    API_KEY_SCOPES,
    DEFAULT_API_KEY_SCOPES,
    INVITABLE_ROLES,
    PLANS,
    USER_ROLES,
)
from marshmallow import Schema, fields, validate

_EMAIL = fields.Email(required=True, validate=validate.Length(max=254))
_ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="must be 1-64 of A-Z a-z 0-9 _ -")


def _password() -> fields.String:
    """12+ characters (NIST 800-63B favours length); capped because hashing costs CPU."""
    return fields.String(required=True, validate=validate.Length(min=12, max=256))


class SignUpSchema(Schema):
    business_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = _EMAIL
    password = _password()


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class PasswordResetSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class PasswordResetConfirmSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=512))
    password = _password()


class RefreshSchema(Schema):
    refresh_token = fields.String(load_default=None, validate=validate.Length(max=512))


class PlanSchema(Schema):
    plan = fields.String(required=True, validate=validate.OneOf(PLANS))


class MemberInvitationSchema(Schema):
    email = _EMAIL
    role = fields.String(required=True, validate=validate.OneOf(INVITABLE_ROLES))


class MemberRoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(USER_ROLES))


class AcceptMemberSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=512))
    password = _password()


class InvitationBrandingSchema(Schema):
    """Pro branding for the invitation email (portal-svc sends what the business saved);
    the logo is base64, its type and size checked by `services.branded_mail`."""

    color = fields.String(required=True, validate=validate.Length(equal=7))
    logo = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=280_000))


class ClientInvitationSchema(Schema):
    customer_id = fields.String(required=True, validate=_ID)
    email = _EMAIL
    branding = fields.Nested(InvitationBrandingSchema, load_default=None, allow_none=True)


class ClientLinkSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class RedeemSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=512))


class ApiKeySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(fields.String(validate=validate.OneOf(API_KEY_SCOPES)),
                         load_default=list(DEFAULT_API_KEY_SCOPES),
                         validate=validate.Length(min=1, max=len(API_KEY_SCOPES)))


class RejectedTokenSchema(Schema):
    rejected_access_token = fields.String(required=True,
                                          validate=validate.Length(min=1, max=8192))


class VerifyKeySchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=512))
