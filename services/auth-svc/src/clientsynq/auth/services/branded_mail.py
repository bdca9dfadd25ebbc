"""The client invitation email in the business's Pro branding: its name on a bar of its
colour, its logo, and a button of that colour; the plain text stays for every mail reader.

Portal-svc holds the branding and sends it with the invitation request; it is checked here
again (a colour `#rrggbb`, a logo that really is a PNG or JPEG of at most 200 KB by its
first bytes), and used only while the business is on Pro or Enterprise. The logo travels as
an inline image (`cid:`), which mail clients show without loading anything remote.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from clientsynq.auth.domain.mail import InlineImage
from clientsynq.common.problems import ValidationFailed

BRAND_PLANS = ("pro", "enterprise")
MAX_LOGO_BYTES = 200 * 1024
LOGO_CID = "business-logo@clientsynq"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


@dataclass(frozen=True)
class MailBranding:
    color: str
    logo: InlineImage | None = None


def branding_from(raw: dict[str, Any] | None) -> MailBranding | None:
    """The request's `branding`, checked; bad input is a 422 before anything is created."""
    if not raw:
        return None
    color = str(raw.get("color") or "")
    if not _HEX.match(color):
        raise ValidationFailed({"branding.color": ["must be #rrggbb"]},
                               "The brand colour must be written #rrggbb.")
    logo = None
    if raw.get("logo"):
        try:
            data = base64.b64decode(str(raw["logo"]), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        subtype = next((kind for magic, kind in _SIGNATURES.items()
                        if data.startswith(magic)), None)
        if subtype is None or len(data) > MAX_LOGO_BYTES:
            raise ValidationFailed({"branding.logo": ["a PNG or JPEG of at most 200 KB"]},
                                   "The logo must be a PNG or JPEG of at most 200 KB.")
        logo = InlineImage(LOGO_CID, subtype, data)
    return MailBranding(color, logo)


def invitation_html(business: str, intro: str, link: str, expires: str,
                    brand: MailBranding) -> str:
    """Inline styles only: mail clients drop <style> blocks and never run script."""
    name, color, href = escape(business), escape(brand.color), escape(link, quote=True)
    logo = (f'<img src="cid:{brand.logo.cid}" alt="{name} logo" height="40" '
            f'style="vertical-align:middle;margin-right:12px;background:#fff;padding:4px">'
            if brand.logo else "")
    return (
        '<!doctype html><html lang="en"><body style="margin:0;font-family:Arial,sans-serif;'
        'color:#1a1a1a">'
        f'<div style="background:{color};color:#ffffff;padding:16px 24px">{logo}'
        f'<strong style="font-size:20px;vertical-align:middle">{name}</strong></div>'
        f'<div style="padding:24px"><p>{escape(intro)}</p>'
        f'<p><a href="{href}" style="display:inline-block;background:{color};color:#ffffff;'
        'padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold">'
        'Open your client portal</a></p>'
        f'<p>The link works once and expires on {escape(expires)} UTC.</p>'
        f'<p style="color:#555555">If the button does not work, paste this address into your '
        f'browser: {escape(link)}</p></div></body></html>')
