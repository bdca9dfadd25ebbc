"""The audit trail of a business: who signed in, connected, disconnected, created keys."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from clientsynq.auth.domain.records import AuditEntry

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)

ACTIONS = ("user.signed_up", "user.login", "user.login_failed", "user.locked", "user.logout",
           "member.invited", "member.joined", "member.role_changed", "member.removed",
           "plan.changed", "qbo.connected", "qbo.connect_failed", "qbo.disconnected",
           "qbo.authorization_expired", "qbo.refresh_failed", "qbo.revoke_failed",
           "api_key.created", "api_key.revoked", "client_invitation.created",
           "client_invitation.redeemed", "client_invitation.cancelled",
           "member_invitation.cancelled", "client.revoked", "client_link.sent",
           "client_link.redeemed", "qbo.token_issued", "user.password_reset")


def record(deps: Deps, tenant_id: str, action: str, actor: str | None,
           **details: Any) -> None:
    """Details are identifiers and reasons only: never a token, password or key."""
    deps.stores.audit.record(AuditEntry(tenant_id=tenant_id, action=action, at=deps.clock(),
                                        actor=actor, details=details))
    log.info("audit.recorded", extra={"tenant_id": tenant_id, "action": action})


def list_entries(deps: Deps, tenant_id: str, limit: int,
                 action: str | None = None) -> list[AuditEntry]:
    return deps.stores.audit.list(tenant_id, limit, action)
