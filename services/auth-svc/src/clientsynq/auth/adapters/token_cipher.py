"""QBO tokens sealed with the shared key ring, bound to their tenant, realm and kind.

The associated data means a ciphertext copied into another business's connection (or an
access token swapped for a refresh token) fails to decrypt instead of being used.
"""
from __future__ import annotations

from clientsynq.common.crypto import KeyRing, associated_data


class TokenCipher:
    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring

    @property
    def active_key_id(self) -> str:
        return self._ring.active

    def seal(self, tenant_id: str, realm_id: str, kind: str, token: str) -> str:
        return self._ring.encrypt_text(token, self._ad(tenant_id, realm_id, kind))

    def open(self, tenant_id: str, realm_id: str, kind: str, sealed: str) -> str:
        return self._ring.decrypt_text(sealed, self._ad(tenant_id, realm_id, kind))

    @staticmethod
    def _ad(tenant_id: str, realm_id: str, kind: str) -> bytes:
        return associated_data("qbo-token", tenant_id, realm_id, kind)
