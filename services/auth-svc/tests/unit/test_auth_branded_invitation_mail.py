"""The branded client invitation: a colour and a logo checked before anything is created,
the business's name escaped into the HTML, the logo carried inside the mail by `cid:`."""
from __future__ import annotations

import base64

import pytest
from clientsynq.auth.adapters.mailer import compose
from clientsynq.auth.services.branded_mail import (
    LOGO_CID,
    MAX_LOGO_BYTES,
    MailBranding,
    branding_from,
    invitation_html,
)
from clientsynq.common.problems import ValidationFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def test_a_checked_branding_dresses_the_mail_and_carries_the_logo_inline():
    brand = branding_from({"color": "#0b3d91", "logo": base64.b64encode(PNG).decode()})
    assert brand is not None and brand.logo is not None and brand.logo.subtype == "png"
    html = invitation_html("Tom & Jerry <Plumbing>", "Hello.", "https://x.example/portal/a",
                           "2026-12-11 10:00", brand)
    assert "background:#0b3d91" in html and f'src="cid:{LOGO_CID}"' in html
    assert "Tom &amp; Jerry &lt;Plumbing&gt;" in html and "<Plumbing>" not in html
    mail = compose("from@x", "to@x", "Invited", "text", html, [brand.logo])
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert parts["text/plain"].get_content().strip() == "text"
    assert parts["image/png"]["Content-ID"] == f"<{LOGO_CID}>"
    assert parts["image/png"].get_content() == PNG


@pytest.mark.parametrize("raw", [
    {"color": "navy"},
    {"color": "#0b3d91", "logo": base64.b64encode(b"<svg onload=alert(1)>").decode()},
    {"color": "#0b3d91", "logo": "not base64!"},
    {"color": "#0b3d91", "logo": base64.b64encode(PNG + b"\0" * MAX_LOGO_BYTES).decode()},
])
def test_a_bad_colour_or_logo_is_refused(raw):
    with pytest.raises(ValidationFailed):
        branding_from(raw)


def test_no_branding_leaves_the_mail_plain():
    assert branding_from(None) is None
    assert branding_from({"color": "#123456"}) == MailBranding("#123456")
    assert compose("from@x", "to@x", "s", "text").get_content_type() == "text/plain"
