"""Strictness options: MAXRESULTS over 1000, ORDERBY Id, minorversion below 75.

Defaults follow the documented behaviour (MAXRESULTS refused, ORDERBY Id allowed,
minorversion upgraded to 75); the other choice of each runs on a server of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from qbo_sandbox.testing import SandboxHandle, running_sandbox


@pytest.fixture(scope="module")
def strict() -> Iterator[SandboxHandle]:
    with running_sandbox(max_results_over_limit="cap", orderby_id="refuse",
                         minorversion_below_minimum="refuse",
                         requests_per_second=1000) as handle:
        yield handle


def _client(handle: SandboxHandle) -> tuple[str, dict[str, str]]:
    control = handle.control
    app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    realm = control.create_company(customers=5, invoices=30, seed=2)["realm_id"]
    token = control.connect(app["client_id"], realm)["access_token"]
    return (f"{handle.base_url}/v3/company/{realm}",
            {"Authorization": f"Bearer {token}", "Accept": "application/json"})


def test_defaults_order_by_id_and_upgrade_old_minor_versions(api: Any) -> None:
    rows = api.get("query", query="SELECT * FROM Invoice ORDERBY Id DESC MAXRESULTS 5",
                   minorversion=4).json()["QueryResponse"]["Invoice"]
    ids = [int(r["Id"]) for r in rows]
    assert ids == sorted(ids, reverse=True)
    assert api.get("customer/1", minorversion="abc").status_code == 200


def test_the_cap_option_caps_maxresults(strict: SandboxHandle) -> None:
    base, headers = _client(strict)
    rows = requests.get(f"{base}/query", params={"query": "SELECT * FROM Invoice MAXRESULTS "
                                                 "5000", "minorversion": 75},
                        headers=headers, timeout=10).json()["QueryResponse"]
    assert rows["maxResults"] == 30


def test_orderby_id_refused_as_an_option(strict: SandboxHandle) -> None:
    base, headers = _client(strict)
    answer = requests.get(f"{base}/query", params={"query": "SELECT * FROM Invoice ORDERBY Id",
                                                   "minorversion": 75},
                          headers=headers, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["Fault"]["Error"][0]["code"] == "4001"


@pytest.mark.parametrize("version", ["74", "1", "x"])
def test_old_minor_versions_refused_as_an_option(strict: SandboxHandle, version: str) -> None:
    base, headers = _client(strict)
    answer = requests.get(f"{base}/customer/1", params={"minorversion": version},
                          headers=headers, timeout=10)
    assert answer.status_code == 400 and answer.json()["Fault"]["Error"][0]["code"] == "2010"
    fine = requests.get(f"{base}/customer/1", params={"minorversion": "75"}, headers=headers,
                        timeout=10)
    assert fine.status_code == 200
