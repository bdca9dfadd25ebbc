"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

`webhook-signature` is `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, one per
valid secret separated by spaces (during a rotation both secrets sign, so a receiver that
knows either one accepts). The key is the base64 part of the `whsec_` secret, decoded.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from clientsynq.webhooks.domain.endpoints import SECRET_PREFIX


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(secrets: Sequence[str], message_id: str, timestamp: int,
                      body: bytes) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(s, message_id, timestamp, body)
                                          for s in secrets),
            "Content-Type": "application/json", "User-Agent": "ClientSynq-Webhooks/1"}
