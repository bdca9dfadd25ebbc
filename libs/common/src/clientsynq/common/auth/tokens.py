"""Issuing and verifying the JWTs auth-svc hands to users and portal clients.

The algorithm is pinned (EdDSA by default) and checked before any key is looked up: the
classic JWT attacks (``alg: none``, or HS256 "signed" with the public key as HMAC secret)
both rely on a verifier that lets the token choose its own algorithm.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from clientsynq.common.auth.revocation import SessionCheck
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROLES = ("owner", "admin", "member", "client")
PLANS = ("basic", "pro", "enterprise")
KINDS = ("user", "client")
DEFAULT_ALGORITHMS = ("EdDSA",)
LEEWAY_SECONDS = 10  # clock skew between replicas, not a grace period
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti"]


class InvalidToken(Exception):
    """The token must not be trusted; ``reason`` is short and safe to return to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeySource(Protocol):
    def get_key(self, kid: str) -> Any | None:
        """The public key for ``kid``, or None if unknown (may raise KeysUnavailable)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a business user (``kind="user"``) or a portal client."""

    subject: str
    tenant_id: str
    role: str
    plan: str
    kind: str
    customer_id: str | None
    token_id: str
    session_id: str | None = None  # the sign-in (refresh family) this access token belongs to

    @property
    def is_client(self) -> bool:
        return self.kind == "client"


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Check the ClientSynq claims; a portal client always has a customer and role client."""
    def text(name: str) -> str:
        value = claims.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidToken(f"missing or invalid claim {name!r}")
        return value

    role, plan, kind = text("role"), text("plan"), text("kind")
    for name, value, allowed in (("role", role, ROLES), ("plan", plan, PLANS),
                                 ("kind", kind, KINDS)):
        if value not in allowed:
            raise InvalidToken(f"invalid claim {name!r}")
    customer_id = text("cid") if kind == "client" else None
    if (kind == "client") != (role == "client"):
        raise InvalidToken("claims 'kind' and 'role' disagree")
    if kind == "user" and claims.get("cid") is not None:
        raise InvalidToken("claim 'cid' is only for clients")
    session_id = claims.get("sid")
    if session_id is not None and (not isinstance(session_id, str) or not session_id):
        raise InvalidToken("invalid claim 'sid'")
    return Principal(subject=text("sub"), tenant_id=text("tid"), role=role, plan=plan,
                     kind=kind, customer_id=customer_id, token_id=text("jti"),
                     session_id=session_id)


_REASONS: Sequence[tuple[type[jwt.PyJWTError], str]] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.DecodeError, "malformed token"),
)


class TokenVerifier:
    def __init__(
        self,
        key_source: KeySource,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: int = LEEWAY_SECONDS,
        sessions: SessionCheck | None = None,
    ) -> None:
        if not algorithms or "none" in (alg.lower() for alg in algorithms):
            raise ValueError("algorithms must be a non-empty list without 'none'")
        self._keys = key_source
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._leeway = leeway_seconds
        self._sessions = sessions

    def verify(self, token: str) -> Principal:
        """A Principal, or InvalidToken (KeysUnavailable if the key set cannot be fetched;
        RevocationsUnavailable if ended sessions cannot be checked)."""
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token, key, algorithms=self._algorithms, audience=self._audience,
                issuer=self._issuer, leeway=self._leeway, options={"require": _REQUIRED},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(_reason(exc)) from None
        principal = principal_from_claims(claims)
        if self._sessions is not None and principal.session_id is not None and \
                self._sessions.is_ended(principal.tenant_id, principal.session_id):
            raise InvalidToken("session ended")
        return principal

    def _key_for(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        if header.get("alg") not in self._algorithms:
            raise InvalidToken("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("missing key id")
        key = self._keys.get_key(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key


def _reason(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"missing claim {exc.claim!r}"
    for exc_type, reason in _REASONS:
        if isinstance(exc, exc_type):
            return reason
    return "invalid token"


def issue_token(
    private_key: Any,
    kid: str,
    claims: Mapping[str, Any],
    ttl: float,
    algorithm: str = "EdDSA",
    now: float | None = None,
) -> str:
    """Sign ``claims`` plus ``iat``/``exp`` (and a fresh ``jti`` unless given)."""
    issued_at = int(time.time() if now is None else now)
    payload = {"jti": str(uuid.uuid4()), **claims, "iat": issued_at,
               "exp": issued_at + int(ttl)}
    return jwt.encode(payload, private_key, algorithm=algorithm, headers={"kid": kid})


class JwtSigner:
    """auth-svc's side: issues only tokens ``TokenVerifier`` would accept."""

    def __init__(
        self, private_key: Any, kid: str, issuer: str, audience: str, algorithm: str = "EdDSA",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key, self._kid, self._algorithm, self._clock = private_key, kid, algorithm, clock
        self._issuer, self._audience = issuer, audience

    def issue(
        self, *, subject: str, tenant_id: str, role: str, plan: str, kind: str = "user",
        customer_id: str | None = None, ttl_seconds: float = 900, token_id: str | None = None,
        session_id: str | None = None,
    ) -> str:
        claims: dict[str, Any] = {"iss": self._issuer, "aud": self._audience, "sub": subject,
                                  "tid": tenant_id, "role": role, "plan": plan, "kind": kind,
                                  "jti": token_id or str(uuid.uuid4())}
        if customer_id is not None:
            claims["cid"] = customer_id
        if session_id is not None:
            claims["sid"] = session_id
        try:
            principal_from_claims(claims)
        except InvalidToken as exc:
            raise ValueError(f"refusing to issue an invalid token: {exc.reason}") from None
        return issue_token(self._key, self._kid, claims, ttl_seconds, self._algorithm,
                           now=self._clock())


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_jwk(public_key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    """RFC 8037 OKP form, what ``JwksCache`` (and any JOSE library) reads."""
    if not isinstance(public_key, Ed25519PublicKey):
        raise TypeError("only Ed25519 public keys are supported")
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def jwks(keys: Mapping[str, Ed25519PublicKey]) -> dict[str, list[dict[str, str]]]:
    """The document auth-svc serves at its JWKS URL: every key still valid for verifying."""
    return {"keys": [public_jwk(key, kid) for kid, key in keys.items()]}
