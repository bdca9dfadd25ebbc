"""One function per event taken off Kafka."""
from __future__ import annotations

from clientsynq.common.events import Event
from clientsynq.webhooks.domain.inbox import RealmLink
from clientsynq.webhooks.domain.ports import RealmDirectory


def on_connection_changed(event: Event, realms: RealmDirectory) -> None:
    """Keep our own realm → business map (we never read auth-svc's database)."""
    data = event.data
    realms.apply(RealmLink(realm_id=data["realm_id"], tenant_id=event.tenant_id,
                           status=data["status"], changed_at=data["changed_at"]))
