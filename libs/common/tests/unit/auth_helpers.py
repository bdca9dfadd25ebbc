"""Keys, signers and forged tokens for the auth tests."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from clientsynq.common.auth import JwtSigner, StaticKeySource, TokenVerifier
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "clientsynq-auth"
AUDIENCE = "clientsynq"
KEY = Ed25519PrivateKey.generate()
KID = "2025-06"


def signer(key: Ed25519PrivateKey = KEY, kid: str = KID, issuer: str = ISSUER,
           audience: str = AUDIENCE, clock: Any = time.time) -> JwtSigner:
    return JwtSigner(key, kid, issuer, audience, clock=clock)


def verifier(keys: dict[str, Any] | None = None) -> TokenVerifier:
    source = StaticKeySource(keys if keys is not None else {KID: KEY.public_key()})
    return TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)


def owner_token(**overrides: Any) -> str:
    claims: dict[str, Any] = {"subject": "user-1", "tenant_id": "tenant-1", "role": "owner",
                              "plan": "pro", **overrides}
    return signer().issue(**claims)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    parts = (json.dumps(header).encode(), json.dumps(claims).encode())
    return ".".join([b64(parts[0]), b64(parts[1]), b64(signature)])


def valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "tid": "tenant-1", "role": "owner",
            "plan": "enterprise", "kind": "user", "iat": now, "exp": now + 600, "jti": "j-1"}
