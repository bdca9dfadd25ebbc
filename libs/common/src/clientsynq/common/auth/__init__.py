"""Authentication and authorisation shared by every service.

- ``tokens``: the JWTs auth-svc issues (``JwtSigner``) and everyone verifies
  (``TokenVerifier``), plus JWK/JWKS helpers.
- ``keys``: where verifiers get public keys (``StaticKeySource``, ``JwksCache``).
- ``web``: Flask decorators (``require_principal``, ``require_role``, ``require_plan``,
  ``require_tenant_scope``).
- ``service``: service-to-service credentials (``ServiceCredentialCheck``,
  ``require_service``; ``check_credential_urls``: https off loopback and off cluster names).
- ``origin``: browser or API client, and CSRF protection by Origin
  (``install_origin_check``, ``require_same_origin``), plus ``install_security_headers``.
- ``revocation``: refusing tokens of ended sessions (``SessionRevocations`` over
  ``HttpEndedSessions``, passed to ``TokenVerifier(..., sessions=...)``;
  ``ended_sessions_check`` builds it from a service's auth URL and credential).
"""

from clientsynq.common.auth.keys import JwksCache, KeysUnavailable, StaticKeySource, parse_jwks
from clientsynq.common.auth.origin import (
    CrossSiteRequest,
    install_origin_check,
    install_security_headers,
    is_browser,
    require_same_origin,
)
from clientsynq.common.auth.revocation import (
    EndedSessions,
    HttpEndedSessions,
    RevocationsUnavailable,
    SessionCheck,
    SessionRevocations,
    ended_sessions_check,
)
from clientsynq.common.auth.service import (
    ServiceCredentialCheck,
    check_credential_urls,
    install_service_check,
    require_service,
)
from clientsynq.common.auth.tokens import (
    DEFAULT_ALGORITHMS,
    KINDS,
    PLANS,
    ROLES,
    InvalidToken,
    JwtSigner,
    KeySource,
    Principal,
    TokenVerifier,
    generate_signing_key,
    issue_token,
    jwks,
    principal_from_claims,
    public_jwk,
)
from clientsynq.common.auth.web import (
    REFRESH_COOKIE,
    REFRESH_COOKIE_PATH,
    SESSION_COOKIE,
    current_principal,
    require_plan,
    require_principal,
    require_role,
    require_tenant_scope,
    token_from_request,
)

__all__ = [
    "DEFAULT_ALGORITHMS",
    "KINDS",
    "PLANS",
    "REFRESH_COOKIE",
    "REFRESH_COOKIE_PATH",
    "ROLES",
    "SESSION_COOKIE",
    "CrossSiteRequest",
    "EndedSessions",
    "HttpEndedSessions",
    "InvalidToken",
    "JwksCache",
    "JwtSigner",
    "KeySource",
    "KeysUnavailable",
    "Principal",
    "RevocationsUnavailable",
    "ServiceCredentialCheck",
    "SessionCheck",
    "SessionRevocations",
    "StaticKeySource",
    "TokenVerifier",
    "check_credential_urls",
    "current_principal",
    "ended_sessions_check",
    "generate_signing_key",
    "install_origin_check",
    "install_security_headers",
    "install_service_check",
    "is_browser",
    "issue_token",
    "jwks",
    "parse_jwks",
    "principal_from_claims",
    "public_jwk",
    "require_plan",
    "require_principal",
    "require_role",
    "require_same_origin",
    "require_service",
    "require_tenant_scope",
    "token_from_request",
]
