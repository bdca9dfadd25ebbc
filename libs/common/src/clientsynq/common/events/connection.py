"""``connection.changed``: auth-svc tells everyone a QBO company was connected or lost."""

from __future__ import annotations

from clientsynq.common.events.base import StrictSchema
from clientsynq.common.events.fields import UtcDateTime, nullable_text, one_of, text

CONNECTION_STATUSES = ("connected", "disconnected", "authorization_expired")


class ConnectionChangedSchema(StrictSchema):
    status = one_of(*CONNECTION_STATUSES, required=True)
    realm_id = text()
    company_name = nullable_text()
    changed_at = UtcDateTime(required=True)
    reason = nullable_text()
