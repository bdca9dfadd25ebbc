"""Pro branding: readable colours only, real PNG/JPEG logos of bounded size, shown on the
business's own client portal and to nobody else."""
from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from portal_builders import OTHER_TENANT, TENANT, a_customer, version
from portal_web_harness import Web

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def web() -> Iterator[Web]:
    web = Web()
    yield web
    web.close()


def post_branding(web: Web, color: str, logo: bytes | None = None, name: str = "logo.png"):
    data: dict = {"color": color}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), name)
    return web.client.post("/settings/branding", data=data, content_type="multipart/form-data",
                           headers={"Origin": "http://localhost"})


def test_a_readable_colour_and_a_png_logo_reach_the_client_portal(web):
    web.sign_in(TENANT, plan="pro")
    assert post_branding(web, "#0B3D91", PNG).status_code == 303
    web.sign_in(TENANT, customer_id="1")
    page = web.get("/portal").data.decode()
    assert "--brand: #0b3d91" in page and 'src="/branding/logo"' in page
    logo = web.get("/branding/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    web.sign_in(OTHER_TENANT, customer_id="1")
    assert web.get("/branding/logo").status_code == 404


@pytest.mark.parametrize("color, says", [("#ffff00", "hard to read"), ("red", "#RRGGBB"),
                                         ("#7fbf7f", "darker colour")])
def test_a_colour_white_text_cannot_be_read_on_is_refused(web, color, says):
    web.sign_in(TENANT, plan="pro")
    answer = post_branding(web, color)
    assert answer.status_code == 422 and says in answer.data.decode()
    assert web.deps.branding.saved == {}


@pytest.mark.parametrize("logo, name", [
    (b"GIF89a" + b"\x00" * 10, "logo.png"),  # the name lies: the bytes decide
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg"),
    (PNG + b"\x00" * (200 * 1024), "big.png")])
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(web, logo, name):
    web.sign_in(TENANT, plan="pro")
    assert post_branding(web, "#0b3d91", logo, name).status_code == 422
    assert web.deps.branding.saved == {}


def test_basic_and_members_cannot_change_branding(web):
    web.sign_in(TENANT, plan="basic")
    assert post_branding(web, "#0b3d91").status_code == 403
    web.sign_in(TENANT, plan="pro", role="member")
    assert post_branding(web, "#0b3d91").status_code == 403
    assert web.deps.branding.saved == {}


def test_the_invitation_email_asks_auth_svc_for_the_saved_branding(web):
    """Pro with a saved branding: colour and logo (base64) go with the invitation call; a
    business without one, or on Basic, sends none (auth-svc's plain email)."""
    web.read.customers.apply(a_customer("1"), version())
    web.sign_in(TENANT, plan="pro")
    assert web.post("/customers/1/invite").status_code == 303
    assert post_branding(web, "#0B3D91", PNG).status_code == 303
    assert web.post("/customers/1/invite").status_code == 303
    web.sign_in(TENANT, plan="basic")
    assert web.post("/customers/1/invite").status_code == 303
    assert web.deps.auth_client.brandings == [
        None, {"color": "#0b3d91", "logo": base64.b64encode(PNG).decode()}, None]
