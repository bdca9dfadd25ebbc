"""What a mail carries besides its text: an image shown inline by its `cid:` (a logo)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InlineImage:
    cid: str
    subtype: str  # png | jpeg
    data: bytes
