"""Pro branding: the business's colour and logo on its client portal.

Checked before anything is saved: the colour must keep white button text readable (WCAG AA,
contrast 4.5:1), and the logo must really be a PNG or JPEG (by its first bytes, not by the
name or the type the browser claims; SVG is refused because it can carry script) of at
most 200 KB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from clientsynq.common.auth import Principal
from clientsynq.common.problems import ClientSynqError, Forbidden, PlanDoesNotAllow

MAX_LOGO_BYTES = 200 * 1024
MIN_CONTRAST = 4.5
DEFAULT_COLOR = "#1a7f14"
BRAND_PLANS = ("pro", "enterprise")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class BrandingRefused(ClientSynqError):
    slug, title, status = "branding-refused", "Branding not saved", 422


@dataclass(frozen=True)
class Logo:
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Branding:
    tenant_id: str
    color: str = DEFAULT_COLOR
    logo: Logo | None = None
    updated_at: datetime | None = None


class BrandingStore(Protocol):
    def get(self, tenant_id: str) -> Branding | None: ...

    def save(self, branding: Branding) -> None: ...


def _luminance(color: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)
    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(color: str) -> float:
    return 1.05 / (_luminance(color) + 0.05)


def logo_from_upload(data: bytes) -> Logo:
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingRefused(f"The logo is {len(data) // 1024} KB; the most is "
                              f"{MAX_LOGO_BYTES // 1024} KB.")
    for signature, content_type in _SIGNATURES.items():
        if data.startswith(signature):
            return Logo(content_type, data)
    raise BrandingRefused("The logo must be a PNG or JPEG image.")


def save_branding(store: BrandingStore, who: Principal, color: str, logo_data: bytes | None,
                  now: datetime) -> Branding:
    if who.plan not in BRAND_PLANS:
        raise PlanDoesNotAllow("Branding is part of the Pro plan.")
    if who.is_client or who.role not in ("owner", "admin"):
        raise Forbidden("Only an owner or admin changes the branding.")
    if not _HEX.fullmatch(color):
        raise BrandingRefused("Choose the colour as #RRGGBB.")
    if contrast_with_white(color) < MIN_CONTRAST:
        raise BrandingRefused(f"White text on {color} is hard to read (contrast "
                              f"{contrast_with_white(color):.1f}:1, at least {MIN_CONTRAST}:1 "
                              "is needed): choose a darker colour.")
    current = store.get(who.tenant_id)
    logo = logo_from_upload(logo_data) if logo_data else (current.logo if current else None)
    branding = Branding(who.tenant_id, color.lower(), logo, now)
    store.save(branding)
    return branding


def branding_of(store: BrandingStore, tenant_id: str) -> Branding:
    return store.get(tenant_id) or Branding(tenant_id)
