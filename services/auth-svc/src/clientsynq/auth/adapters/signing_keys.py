"""The Ed25519 keys auth-svc signs JWTs with: a directory of PEM files, one of them active.

In Kubernetes the directory is a mounted Secret (``<kid>.pem`` entries); on a developer
machine the first start may generate one into an ignored directory. Rotation: add the new
key file (it appears in the JWKS at once), later make it active, and remove the old one
after the longest token lifetime has passed.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

log = logging.getLogger(__name__)
_KID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
GENERATED_KID = "dev-1"


class SigningKeysError(RuntimeError):
    """Start-up cannot continue: no usable signing key (the message names files, not keys)."""


@dataclass(frozen=True)
class SigningKeys:
    active_kid: str
    private_keys: dict[str, Ed25519PrivateKey]

    @property
    def active_key(self) -> Ed25519PrivateKey:
        return self.private_keys[self.active_kid]

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {kid: key.public_key() for kid, key in self.private_keys.items()}


def load_signing_keys(directory: str, active_kid: str | None = None,
                      generate: bool = False) -> SigningKeys:
    path = Path(directory)
    keys = _read_keys(path)
    if not keys and generate:
        _generate_into(path)
        keys = _read_keys(path)
    if not keys:
        raise SigningKeysError(f"no <kid>.pem Ed25519 key in {directory} "
                               "(set AUTH_GENERATE_SIGNING_KEY=true for development)")
    chosen = active_kid or _active_from_file(path) or max(keys)
    if chosen not in keys:
        raise SigningKeysError(f"the active signing key {chosen!r} is not in {directory}")
    return SigningKeys(active_kid=chosen, private_keys=keys)


def _read_keys(path: Path) -> dict[str, Ed25519PrivateKey]:
    if not path.is_dir():
        return {}
    keys: dict[str, Ed25519PrivateKey] = {}
    for file in sorted(path.glob("*.pem")):
        kid = file.stem
        if not _KID_RE.fullmatch(kid):
            raise SigningKeysError(f"{file.name}: a key id may use only [A-Za-z0-9._-]")
        key = load_pem_private_key(file.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeysError(f"{file.name} is not an Ed25519 private key")
        keys[kid] = key
    return keys


def _active_from_file(path: Path) -> str | None:
    marker = path / "active"
    return (marker.read_text().strip() or None) if marker.is_file() else None


def _generate_into(path: Path) -> None:
    """O_EXCL: two processes starting together end up with the same single key."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                     NoEncryption())
    target = path / f"{GENERATED_KID}.pem"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    log.warning("auth.signing_key_generated", extra={"kid": GENERATED_KID, "dir": str(path)})
