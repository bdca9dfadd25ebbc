"""AES-256-GCM with a key ring, for secrets at rest (QBO OAuth tokens above all).

Token layout (``version | len(key_id) | key_id | nonce | ciphertext+tag``) names the key
that sealed it, so keys can be rotated without a big-bang re-encryption: old tokens stay
readable while their key is in the ring and are re-sealed lazily (``needs_reencryption``).
The header is authenticated along with the caller's associated data, and the associated
data binds a token to its owner (tenant + realm) so a token copied to another connection's
row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
from collections.abc import Mapping
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_AD_DOMAIN = b"clientsynq.ad.v1"


class KeyRingError(ValueError):
    """A malformed key ring; messages name key ids, never key material."""


class DecryptionError(Exception):
    """The token cannot be opened. Deliberately vague: no plaintext, key or oracle detail."""


def generate_key() -> str:
    """A new 256-bit key, base64-encoded, for ``KeyRing.from_spec``."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def associated_data(*parts: str) -> bytes:
    """Length-prefixed so ("ab", "c") and ("a", "bc") can never produce the same bytes."""
    encoded = [part.encode("utf-8") for part in parts]
    return _AD_DOMAIN + b"".join(struct.pack(">I", len(item)) + item for item in encoded)


class KeyRing:
    """Every key that may still be needed to decrypt, and the one new tokens are sealed with."""

    def __init__(self, keys: Mapping[str, bytes], active: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID_RE.fullmatch(key_id):
                raise KeyRingError(f"invalid key id {key_id!r}: use 1-64 of [A-Za-z0-9._-]")
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"key {key_id!r} must be {KEY_BYTES} bytes")
        self._keys: Mapping[str, AESGCM] = MappingProxyType(
            {key_id: AESGCM(bytes(key)) for key_id, key in keys.items()}
        )
        self._active = ""
        self.rotate_active(active)

    @classmethod
    def from_spec(cls, spec: str, active: str) -> KeyRing:
        """Parse ``"k1:<base64>,k2:<base64>"`` (how the ring arrives in an env variable)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (entry.strip() for entry in spec.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise KeyRingError("each key must be written as <key id>:<base64 key>")
            if key_id in keys:
                raise KeyRingError(f"key id {key_id!r} appears twice")
            keys[key_id] = _decode_key(key_id, encoded)
        if not keys:
            raise KeyRingError("the key ring is empty")
        return cls(keys, active)

    @property
    def active(self) -> str:
        return self._active

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def rotate_active(self, new_key_id: str) -> None:
        """Seal new tokens with ``new_key_id``; the ring is shared, so every holder follows."""
        if new_key_id not in self._keys:
            raise KeyRingError(f"active key {new_key_id!r} is not in the ring")
        self._active = new_key_id

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        key_id = self._active.encode("ascii")
        header = bytes([VERSION, len(key_id)]) + key_id
        nonce = os.urandom(NONCE_BYTES)  # random 96-bit nonces: safe far beyond our volumes
        sealed = self._keys[self._active].encrypt(nonce, plaintext, header + associated_data)
        return header + nonce + sealed

    def decrypt(self, token: bytes, associated_data: bytes) -> bytes:
        key_id, header = _parse_header(token)
        cipher = self._keys.get(key_id)
        if cipher is None:
            raise DecryptionError("token was sealed with a key that is not in the ring")
        nonce = token[len(header) : len(header) + NONCE_BYTES]
        sealed = token[len(header) + NONCE_BYTES :]
        try:
            return cipher.decrypt(nonce, sealed, header + associated_data)
        except InvalidTag:
            raise DecryptionError("token is corrupt or bound to other data") from None

    def key_id_of(self, token: bytes) -> str:
        return _parse_header(token)[0]

    def needs_reencryption(self, token: bytes | str) -> bool:
        """True when the token was sealed with a key other than the active one."""
        raw = _from_text(token) if isinstance(token, str) else token
        return self.key_id_of(raw) != self._active

    def encrypt_text(self, plaintext: str, associated_data: bytes) -> str:
        """Storage form: URL-safe base64 without padding, safe in any document field."""
        token = self.encrypt(plaintext.encode("utf-8"), associated_data)
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def decrypt_text(self, token: str, associated_data: bytes) -> str:
        plaintext = self.decrypt(_from_text(token), associated_data)
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionError("token does not hold text") from None

    def __repr__(self) -> str:
        return f"KeyRing(key_ids={list(self._keys)!r}, active={self._active!r})"


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip().replace("-", "+").replace("_", "/"), validate=True)
    except binascii.Error:
        raise KeyRingError(f"key {key_id!r} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"key {key_id!r} must decode to {KEY_BYTES} bytes")
    return key


def _parse_header(token: bytes) -> tuple[str, bytes]:
    if len(token) < 2 or token[0] != VERSION:
        raise DecryptionError("token format is not recognised")
    end = 2 + token[1]
    if len(token) < end + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token is truncated")
    try:
        key_id = token[2:end].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("token format is not recognised") from None
    return key_id, token[:end]


def _from_text(token: str) -> bytes:
    """Strict: the lenient decoder would silently skip stray characters."""
    if "+" in token or "/" in token:
        raise DecryptionError("token is not valid base64url")
    standard = token.replace("-", "+").replace("_", "/") + "=" * (-len(token) % 4)
    try:
        return base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("token is not valid base64url") from None
