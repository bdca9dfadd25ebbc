"""The client invitation email wears the business's Pro branding: the invite button's call
to auth-svc (which sends the mail) carries the saved colour and logo. Basic, or a business
that never saved a branding, sends none, and auth-svc's plain email goes out."""
from __future__ import annotations

import base64
from typing import Any

from clientsynq.common.auth import Principal
from clientsynq.portal.services.branding import BRAND_PLANS, BrandingStore
from clientsynq.portal.services.invitations import SentInvitation


def mail_branding(store: BrandingStore, who: Principal) -> dict[str, Any] | None:
    saved = store.get(who.tenant_id) if who.plan in BRAND_PLANS else None
    if saved is None:
        return None
    logo = base64.b64encode(saved.logo.data).decode() if saved.logo else None
    return {"color": saved.color, "logo": logo}


class BrandedSender:
    """auth-svc's invitation call (`ClientInvitationSender`) with the branding for the mail."""

    def __init__(self, client: Any, branding: dict[str, Any] | None) -> None:
        self._client, self._branding = client, branding

    def invite_client(self, access_token: str, tenant_id: str, customer_id: str,
                      email: str) -> SentInvitation:
        sent: SentInvitation = self._client.invite_client(
            access_token, tenant_id, customer_id, email, branding=self._branding)
        return sent
