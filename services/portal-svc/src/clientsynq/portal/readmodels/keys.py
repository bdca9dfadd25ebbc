"""Sort keys and opaque cursors shared by the Mongo adapters and the in-memory fakes.

Pages are keyset pages: the cursor holds the sort key of the last row served, and the next
page starts strictly after it. Offsets would skip or repeat rows when rows are inserted
while a client pages; a key that ends in the unique id never does.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import date

from clientsynq.portal.domain.errors import InvalidCursor

NO_DATE = "0000-00-00"  # sorts before every real date: undated rows come last (descending)
NO_DUE = "9999-12-31"  # an invoice without a due date is never overdue
_ID_WIDTH = 20


def id_key(entity_id: str) -> str:
    """QBO ids are numeric strings: "10" must sort after "9", so digits are zero-padded."""
    return entity_id.rjust(_ID_WIDTH, "0") if entity_id.isdigit() else entity_id


def date_key(value: date | None, missing: str = NO_DATE) -> str:
    return missing if value is None else value.isoformat()


def name_key(*names: str | None) -> str:
    return next((name.strip().casefold() for name in names if name and name.strip()), "")


def encode_cursor(key: tuple[str, str]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The key of the last row of the previous page; anything else is a 400, not a 500."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(part, str) and len(part) <= 400 for part in value)):
        raise InvalidCursor("The cursor is not one this API issued.")
    return value[0], value[1]


def is_after(key: tuple[str, str], cursor: tuple[str, str], descending: bool) -> bool:
    """Whether a row with `key` belongs after the cursor row in the page order."""
    return key < cursor if descending else key > cursor
