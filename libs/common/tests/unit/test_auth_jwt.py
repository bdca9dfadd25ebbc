from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from clientsynq.common.auth import (
    InvalidToken,
    Principal,
    StaticKeySource,
    TokenVerifier,
    issue_token,
    jwks,
    public_jwk,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .auth_helpers import (
    AUDIENCE,
    ISSUER,
    KEY,
    KID,
    b64,
    owner_token,
    signer,
    unsigned,
    valid_claims,
    verifier,
)


def refusal(token: str, target: TokenVerifier | None = None) -> str:
    with pytest.raises(InvalidToken) as caught:
        (target or verifier()).verify(token)
    return caught.value.reason


def test_a_valid_user_token_gives_its_principal() -> None:
    token = signer().issue(subject="user-1", tenant_id="tenant-1", role="admin", plan="pro",
                           token_id="jti-1")

    assert verifier().verify(token) == Principal(
        subject="user-1", tenant_id="tenant-1", role="admin", plan="pro", kind="user",
        customer_id=None, token_id="jti-1")


def test_a_valid_client_token_carries_the_customer() -> None:
    token = signer().issue(subject="identity-9", tenant_id="tenant-1", role="client",
                           plan="basic", kind="client", customer_id="58")

    principal = verifier().verify(token)

    assert principal.is_client and principal.customer_id == "58"


def test_a_token_signed_by_another_key_is_refused() -> None:
    forged = signer(key=Ed25519PrivateKey.generate()).issue(
        subject="user-1", tenant_id="tenant-1", role="owner", plan="pro")

    assert refusal(forged) == "bad signature"


def test_an_expired_token_is_refused() -> None:
    issued_an_hour_ago = signer(clock=lambda: time.time() - 3600)

    assert refusal(issued_an_hour_ago.issue(subject="u", tenant_id="t", role="owner",
                                            plan="pro", ttl_seconds=600)) == "token expired"


def test_small_clock_skew_is_tolerated() -> None:
    just_expired = signer(clock=lambda: time.time() - 605)

    token = just_expired.issue(subject="u", tenant_id="t", role="owner", plan="pro",
                               ttl_seconds=600)

    assert verifier().verify(token).subject == "u"


def test_alg_none_is_refused() -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": KID}, valid_claims())

    assert refusal(token) == "algorithm not allowed"


def test_hs256_forged_with_the_public_key_bytes_is_refused() -> None:
    public = KEY.public_key()
    claims = valid_claims()
    for secret in (public.public_bytes(Encoding.Raw, PublicFormat.Raw),
                   public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
                   json.dumps(public_jwk(public, KID)).encode()):
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
        body = b64(json.dumps(claims).encode())
        mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()

        assert refusal(f"{header}.{body}.{b64(mac)}") == "algorithm not allowed"


def test_a_verifier_cannot_be_configured_to_accept_none() -> None:
    with pytest.raises(ValueError):
        TokenVerifier(StaticKeySource({}), ISSUER, AUDIENCE, algorithms=["EdDSA", "none"])


@pytest.mark.parametrize("claim,value,reason", [
    ("aud", "someone-else", "wrong audience"),
    ("iss", "evil-auth", "wrong issuer"),
    ("iat", int(time.time()) + 3600, "token not yet valid"),
])
def test_wrong_registered_claims_are_refused(claim: str, value: Any, reason: str) -> None:
    token = issue_token(KEY, KID, {**valid_claims(), claim: value}, ttl=7200,
                        now=value if claim == "iat" else None)

    assert refusal(token) == reason


@pytest.mark.parametrize("claim", ["sub", "jti", "tid", "role", "plan", "kind"])
def test_missing_claims_are_refused(claim: str) -> None:
    claims = valid_claims()
    del claims[claim]
    token = jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": KID})

    reason = refusal(token)

    assert reason.startswith("missing") and repr(claim) in reason


@pytest.mark.parametrize("change", [
    {"role": "superuser"}, {"plan": "platinum"}, {"kind": "robot"},
    {"kind": "client", "role": "client"},  # a client without a customer id
    {"kind": "client", "role": "owner", "cid": "58"},
    {"kind": "user", "role": "client"},
    {"cid": "58"},  # a user token with a customer id
    {"tid": ""},
])
def test_inconsistent_clientsynq_claims_are_refused(change: dict[str, Any]) -> None:
    token = jwt.encode({**valid_claims(), **change}, KEY, algorithm="EdDSA",
                       headers={"kid": KID})

    assert "claim" in refusal(token)


def test_unknown_or_missing_kid_is_refused() -> None:
    claims = valid_claims()

    assert refusal(jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": "x"})) == (
        "unknown signing key")
    assert refusal(jwt.encode(claims, KEY, algorithm="EdDSA")) == "missing key id"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJ.eyJ.sig"])
def test_garbage_is_refused(token: str) -> None:
    assert refusal(token) == "malformed token"


def test_signer_refuses_to_issue_an_invalid_token() -> None:
    with pytest.raises(ValueError):
        signer().issue(subject="u", tenant_id="t", role="client", plan="pro")


def test_jwks_publishes_ed25519_keys_a_jose_library_can_read() -> None:
    document = jwks({KID: KEY.public_key()})
    token = owner_token()

    key = jwt.PyJWKSet.from_dict(document)[KID].key

    assert document["keys"][0]["kty"] == "OKP" and document["keys"][0]["crv"] == "Ed25519"
    assert jwt.decode(token, key, algorithms=["EdDSA"], audience=AUDIENCE)["tid"] == "tenant-1"
