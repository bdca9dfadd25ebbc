"""The OAuth 2.0 dance as a real client library performs it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError
from requests_oauthlib import OAuth2Session

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle

SCOPES = ["com.intuit.quickbooks.accounting", "openid", "email"]
REDIRECT_URI = "http://127.0.0.1:9/callback"  # the `app` fixture registers this one


def discovery(sandbox: SandboxHandle) -> dict[str, Any]:
    return requests.get(sandbox.discovery_url, timeout=10).json()


def test_discovery_documents_point_at_this_server(sandbox: SandboxHandle) -> None:
    for path in ("/.well-known/openid_configuration",
                 "/.well-known/openid_sandbox_configuration/"):
        response = requests.get(sandbox.base_url + path, timeout=10)
        doc = response.json()
        assert response.status_code == 200
        assert response.headers["intuit_tid"].startswith("1-")
        assert doc["token_endpoint"] == f"{sandbox.base_url}/oauth2/v1/tokens/bearer"
        assert doc["authorization_endpoint"].startswith(sandbox.base_url)
        assert "client_secret_basic" in doc["token_endpoint_auth_methods_supported"]


def test_consent_page_names_app_company_and_scopes(sandbox: SandboxHandle,
                                                   app: dict[str, Any],
                                                   company: dict[str, Any]) -> None:
    oauth = OAuth2Session(app["client_id"], redirect_uri=REDIRECT_URI, scope=SCOPES)
    url, _ = oauth.authorization_url(discovery(sandbox)["authorization_endpoint"],
                                     realm=company["realm_id"])
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "ClientSynq Test" in page.text
    assert company["realm_id"] in page.text
    assert "com.intuit.quickbooks.accounting" in page.text
    assert 'value="approve"' in page.text and 'value="deny"' in page.text


def test_full_dance_with_requests_oauthlib(sandbox: SandboxHandle, control: SandboxControl,
                                           app: dict[str, Any], company: dict[str, Any]) -> None:
    doc = discovery(sandbox)
    oauth = OAuth2Session(app["client_id"], redirect_uri=REDIRECT_URI, scope=SCOPES)
    url, state = oauth.authorization_url(doc["authorization_endpoint"],
                                         realm=company["realm_id"])
    callback = control.authorize(url)
    assert callback["state"] == state
    assert callback["realmId"] == company["realm_id"]
    callback_url = f"{REDIRECT_URI}?code={callback['code']}&state={state}&realmId=x"
    token = oauth.fetch_token(doc["token_endpoint"], authorization_response=callback_url,
                              client_secret=app["client_secret"], include_client_id=False)
    assert token["expires_in"] == 3600
    assert token["x_refresh_token_expires_in"] > 8_000_000
    info = oauth.get(doc["userinfo_endpoint"], timeout=10).json()
    assert info["email"]
    refreshed = oauth.refresh_token(doc["token_endpoint"], auth=(app["client_id"],
                                                                 app["client_secret"]))
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert control.counts(company["realm_id"])["token_refreshes"] == 1
    with pytest.raises(InvalidGrantError):
        OAuth2Session(app["client_id"], token=token).refresh_token(
            doc["token_endpoint"], auth=(app["client_id"], app["client_secret"]))
    api = requests.get(f"{sandbox.base_url}/v3/company/{company['realm_id']}/companyinfo/"
                       f"{company['realm_id']}", headers={
                           "Authorization": f"Bearer {refreshed['access_token']}",
                           "Accept": "application/json"}, timeout=10)
    assert api.status_code == 200
    assert api.json()["CompanyInfo"]["CompanyName"]


def token_post(sandbox: SandboxHandle, app: dict[str, Any], **form: str) -> requests.Response:
    return requests.post(f"{sandbox.base_url}/oauth2/v1/tokens/bearer", data=form,
                         auth=(app["client_id"], app["client_secret"]),
                         headers={"Accept": "application/json"}, timeout=10)


def authorize_url(sandbox: SandboxHandle, app: dict[str, Any], realm: str) -> str:
    return (f"{sandbox.base_url}/connect/oauth2?client_id={app['client_id']}&response_type=code"
            f"&scope=com.intuit.quickbooks.accounting&redirect_uri={REDIRECT_URI}"
            f"&state=xyz&realm={realm}")


def test_a_reused_code_is_invalid_grant(sandbox: SandboxHandle, control: SandboxControl,
                                        app: dict[str, Any], company: dict[str, Any]) -> None:
    code = control.authorize(authorize_url(sandbox, app, company["realm_id"]))["code"]
    first = token_post(sandbox, app, grant_type="authorization_code", code=code,
                       redirect_uri=REDIRECT_URI)
    second = token_post(sandbox, app, grant_type="authorization_code", code=code,
                        redirect_uri=REDIRECT_URI)
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert second.headers["intuit_tid"]


def test_cancel_redirects_with_access_denied(sandbox: SandboxHandle, control: SandboxControl,
                                             app: dict[str, Any],
                                             company: dict[str, Any]) -> None:
    callback = control.authorize(authorize_url(sandbox, app, company["realm_id"]),
                                 approve=False)
    assert callback == {"error": "access_denied", "state": "xyz"}


def test_an_unregistered_redirect_uri_is_refused_without_redirect(
        sandbox: SandboxHandle, app: dict[str, Any], company: dict[str, Any]) -> None:
    url = authorize_url(sandbox, app, company["realm_id"]).replace("/callback", "/evil")
    response = requests.get(url, timeout=10, allow_redirects=False)
    assert response.status_code == 400


def test_client_secret_post_works_and_a_bad_secret_is_invalid_client(
        sandbox: SandboxHandle, control: SandboxControl, app: dict[str, Any],
        company: dict[str, Any]) -> None:
    code = control.authorize(authorize_url(sandbox, app, company["realm_id"]))["code"]
    bad = requests.post(f"{sandbox.base_url}/oauth2/v1/tokens/bearer", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "client_id": app["client_id"], "client_secret": "wrong"})
    good = requests.post(f"{sandbox.base_url}/oauth2/v1/tokens/bearer", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "client_id": app["client_id"], "client_secret": app["client_secret"]})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert good.status_code == 200 and good.json()["token_type"] == "bearer"


def test_revoking_the_refresh_token_kills_the_whole_grant(
        sandbox: SandboxHandle, control: SandboxControl, app: dict[str, Any],
        company: dict[str, Any]) -> None:
    tokens = control.connect(app["client_id"], company["realm_id"])
    revoked = requests.post(f"{sandbox.base_url}/v2/oauth2/tokens/revoke",
                            json={"token": tokens["refresh_token"]},
                            auth=(app["client_id"], app["client_secret"]), timeout=10)
    api = requests.get(f"{sandbox.base_url}/v3/company/{company['realm_id']}/query",
                       params={"query": "select * from Customer"}, timeout=10,
                       headers={"Authorization": f"Bearer {tokens['access_token']}",
                                "Accept": "application/json"})
    refresh = token_post(sandbox, app, grant_type="refresh_token",
                         refresh_token=tokens["refresh_token"])
    assert revoked.status_code == 200
    assert api.status_code == 401
    assert api.json()["fault"]["error"][0]["code"] == "3200"
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"


def test_an_expired_refresh_token_is_invalid_grant(sandbox: SandboxHandle,
                                                   control: SandboxControl,
                                                   app: dict[str, Any],
                                                   company: dict[str, Any]) -> None:
    tokens = control.connect(app["client_id"], company["realm_id"])
    control.expire_tokens(realm_id=company["realm_id"], which="refresh")
    refresh = token_post(sandbox, app, grant_type="refresh_token",
                         refresh_token=tokens["refresh_token"])
    assert refresh.status_code == 400
    assert refresh.json()["error"] == "invalid_grant"


def test_intuit_oauth_auth_client_is_satisfied(sandbox: SandboxHandle, control: SandboxControl,
                                               app: dict[str, Any],
                                               company: dict[str, Any]) -> None:
    intuitlib = pytest.importorskip("intuitlib.client")
    from intuitlib.enums import Scopes

    client = intuitlib.AuthClient(app["client_id"], app["client_secret"], REDIRECT_URI,
                                  sandbox.discovery_url)
    url = client.get_authorization_url([Scopes.ACCOUNTING])
    callback = control.authorize(url, realm_id=company["realm_id"])
    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    first_refresh = client.refresh_token
    client.refresh()
    assert client.refresh_token != first_refresh
    assert client.x_refresh_token_expires_in > 0
    assert client.revoke() is True
    assert control.counts(company["realm_id"])["revocations"] >= 1


@pytest.mark.parametrize("send", ["json", "json_as_text", "form"])
def test_revoke_takes_the_documented_json_body_and_what_it_tolerates(
        sandbox: SandboxHandle, control: SandboxControl, app: dict[str, Any],
        company: dict[str, Any], send: str) -> None:
    tokens = control.connect(app["client_id"], company["realm_id"])
    url, auth = f"{sandbox.base_url}/v2/oauth2/tokens/revoke", (app["client_id"],
                                                                 app["client_secret"])
    token = tokens["refresh_token"]
    if send == "json":
        answer = requests.post(url, json={"token": token}, auth=auth, timeout=10,
                               headers={"Accept": "application/json"})
    elif send == "json_as_text":
        answer = requests.post(url, data=json.dumps({"token": token}), auth=auth, timeout=10,
                               headers={"Content-Type": "text/plain"})
    else:
        answer = requests.post(url, data={"token": token}, auth=auth, timeout=10)
    assert answer.status_code == 200
    refresh = token_post(sandbox, app, grant_type="refresh_token", refresh_token=token)
    assert refresh.json()["error"] == "invalid_grant"


def test_revoke_without_a_token_is_invalid_request(sandbox: SandboxHandle,
                                                   app: dict[str, Any]) -> None:
    answer = requests.post(f"{sandbox.base_url}/v2/oauth2/tokens/revoke", json={},
                           auth=(app["client_id"], app["client_secret"]), timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
