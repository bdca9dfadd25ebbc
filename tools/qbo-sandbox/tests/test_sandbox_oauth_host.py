"""OAuth on a host (port) of its own, as Intuit serves it apart from the API: discovery
points there, the OAuth endpoints answer only there, the API only on its own port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from qbo_sandbox.testing import SandboxHandle, running_sandbox


@pytest.fixture(scope="module")
def split() -> Iterator[SandboxHandle]:
    with running_sandbox(oauth_port=0, requests_per_second=1000) as handle:
        yield handle


def test_discovery_points_at_the_oauth_port(split: SandboxHandle) -> None:
    assert split.oauth_base_url and split.oauth_base_url != split.base_url
    for base in (split.base_url, split.oauth_base_url):
        document = requests.get(f"{base}/.well-known/openid_sandbox_configuration/",
                                timeout=10).json()
        assert document["token_endpoint"] == f"{split.oauth_base_url}/oauth2/v1/tokens/bearer"
        assert document["authorization_endpoint"].startswith(split.oauth_base_url)


def test_intuit_oauth_works_through_discovery_and_the_api_on_its_own_port(
        split: SandboxHandle) -> None:
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes

    control = split.control
    app = control.register_app(client_id="split-app", client_secret="pw",
                               redirect_uris=["http://127.0.0.1:9/cb"])
    realm = control.create_company(customers=3)["realm_id"]
    auth = AuthClient(app["client_id"], "pw", "http://127.0.0.1:9/cb", split.discovery_url)
    url = auth.get_authorization_url([Scopes.ACCOUNTING])
    assert url.startswith(split.oauth_base_url)  # type: ignore[arg-type]
    callback = control.authorize(url, realm_id=realm)
    auth.get_bearer_token(callback["code"], realm_id=realm)
    headers = {"Authorization": f"Bearer {auth.access_token}", "Accept": "application/json"}
    api = f"v3/company/{realm}/query"
    params = {"query": "SELECT COUNT(*) FROM Customer"}
    assert requests.get(f"{split.base_url}/{api}", params=params, headers=headers,
                        timeout=10).status_code == 200
    wrong = requests.get(f"{split.oauth_base_url}/{api}", params=params, headers=headers,
                         timeout=10)
    assert wrong.status_code == 404


def test_a_client_deriving_the_token_url_from_the_api_host_breaks(split: SandboxHandle) -> None:
    answer = requests.post(f"{split.base_url}/oauth2/v1/tokens/bearer", timeout=10,
                           data={"grant_type": "refresh_token", "refresh_token": "x"},
                           auth=("split-app", "pw"))
    assert answer.status_code == 404
    revoke = requests.post(f"{split.base_url}/v2/oauth2/tokens/revoke", json={"token": "x"},
                           auth=("split-app", "pw"), timeout=10)
    assert revoke.status_code == 404
