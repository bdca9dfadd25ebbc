"""Enterprise API keys: shown once, stored as a digest, scoped to one business."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import digests_match, new_secret, secret_digest
from clientsynq.auth.domain.errors import ApiKeyNotFound, InvalidApiKey, PlanRequired
from clientsynq.auth.domain.records import ApiKey
from clientsynq.auth.services import audit
from clientsynq.auth.services.accounts import get_tenant
from clientsynq.auth.services.authority import acting_member
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

KEY_PREFIX = "csk"


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str = field(repr=False)


@dataclass(frozen=True)
class VerifiedKey:
    key: ApiKey
    plan: str


def create_api_key(deps: Deps, principal: Principal, name: str,
                   scopes: tuple[str, ...]) -> CreatedKey:
    acting_member(deps, principal)  # the token's role may be 15 minutes old
    _require_enterprise(deps, principal.tenant_id)
    key_id = uuid.uuid4().hex
    prefix = f"{KEY_PREFIX}.{principal.tenant_id}.{key_id}"
    secret = f"{prefix}.{new_secret(32)}"
    key = ApiKey(key_id=key_id, tenant_id=principal.tenant_id, name=name, prefix=prefix,
                 scopes=scopes, created_at=deps.clock(), created_by=principal.subject)
    deps.stores.api_keys.add(key, secret_digest(secret))
    audit.record(deps, principal.tenant_id, "api_key.created", principal.subject, key_id=key_id,
                 scopes=list(scopes))
    return CreatedKey(key=key, secret=secret)


def list_api_keys(deps: Deps, tenant_id: str) -> list[ApiKey]:
    return deps.stores.api_keys.list(tenant_id)


def revoke_api_key(deps: Deps, principal: Principal, key_id: str) -> None:
    acting_member(deps, principal)
    if not deps.stores.api_keys.revoke(principal.tenant_id, key_id, deps.clock()):
        if not deps.stores.api_keys.exists(principal.tenant_id, key_id):
            raise ApiKeyNotFound()
        return  # already revoked: revoking is idempotent
    audit.record(deps, principal.tenant_id, "api_key.revoked", principal.subject, key_id=key_id)


def revoke_api_keys_by(deps: Deps, tenant_id: str, user_id: str) -> int:
    """A removed member's keys stop working with them: they may have copied them."""
    return deps.stores.api_keys.revoke_created_by(tenant_id, user_id, deps.clock())


def verify_api_key(deps: Deps, secret: str) -> VerifiedKey:
    """For portal-svc's public API: the key's business, scopes and current plan."""
    parts = secret.split(".")
    if len(parts) != 4 or parts[0] != KEY_PREFIX:
        raise InvalidApiKey()
    found = deps.stores.api_keys.active_digest(parts[1], parts[2])
    if found is None or not digests_match(found[1], secret):
        raise InvalidApiKey()
    tenant = get_tenant(deps, found[0].tenant_id)
    if tenant.plan != "enterprise":
        raise PlanRequired("API access is part of the Enterprise plan.",
                           required_plans=["enterprise"])
    return VerifiedKey(key=found[0], plan=tenant.plan)


def _require_enterprise(deps: Deps, tenant_id: str) -> None:
    if get_tenant(deps, tenant_id).plan != "enterprise":
        raise PlanRequired("API keys are part of the Enterprise plan.",
                           required_plans=["enterprise"])
