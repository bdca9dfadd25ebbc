"""Every error shape the sandbox can answer, met by auth-svc's own QuickBooks client over HTTP
(issue 11): the CompanyInfo read it makes at connect and when a disconnect callback is
checked, and the token endpoint it refreshes with.

Busy or broken answers (5xx JSON, the gateway's HTML pages, 429, a Fault inside a 200) are
retried or reported as ``QboUnavailable`` ("try again"); only Intuit's definite refusals
(the XML 401 code 100, 403 codes 120 and 6190) become ``QboRefused``, which is what decides
that a grant is gone. One tenant, one connection.
"""
from __future__ import annotations

from typing import Any

import pytest
import requests
from clientsynq.auth.domain.errors import QboRefused, QboUnavailable

pytestmark = pytest.mark.integration


def access_token(auth_service: Any, tenant_id: str) -> str:
    answer = requests.get(
        f"{auth_service.base_url}/internal/v1/tenants/{tenant_id}/qbo/access-token",
        headers=auth_service.service_headers(), timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def test_company_info_recovers_from_busy_answers_and_names_each_refusal(
        auth_service, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=1, invoices=0, payments=0, seed=3)
    ctl, realm = tenant.control, tenant.realm_id
    qbo, token = auth_service.deps.qbo, access_token(auth_service, tenant.tenant_id)

    def fault(**options: Any) -> None:
        ctl.clear_faults()
        ctl.inject_fault(realm_id=realm, kind="companyinfo", **options)

    try:
        for options in ({"status": 500}, {"status": 503, "shape": "html"},
                        {"status": 504, "shape": "html"}, {"status": 429}):
            fault(**options)
            assert qbo.company_name(realm, token), options

        fault(status=503, count=20)
        with pytest.raises(QboUnavailable):
            qbo.company_name(realm, token)
        fault(shape="fault_200")
        with pytest.raises(QboUnavailable):
            qbo.company_name(realm, token)

        for shape, error in (("xml_auth", "unauthorized"), ("auth_120", "forbidden"),
                             ("company_6190", "forbidden")):
            fault(shape=shape)
            with pytest.raises(QboRefused) as refused:
                qbo.company_name(realm, token)
            assert refused.value.error == error, shape
    finally:
        ctl.clear_faults()
    assert qbo.company_name(realm, token)


def test_a_busy_token_endpoint_is_retried_and_a_lasting_outage_is_unavailable(
        auth_service, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=1, invoices=0, payments=0, seed=4)
    ctl = tenant.control
    refresh = lambda: requests.post(  # noqa: E731 - the one call this test repeats
        f"{auth_service.base_url}/internal/v1/tenants/{tenant.tenant_id}"
        "/qbo/access-token/refresh", headers=auth_service.service_headers(), timeout=60,
        json={"rejected_access_token": access_token(auth_service, tenant.tenant_id)})
    try:
        for options in ({"status": 500}, {"status": 502, "shape": "html"}, {"status": 429}):
            ctl.clear_faults()
            ctl.inject_fault(kind="token", **options)
            answer = refresh()
            assert answer.status_code == 200, (options, answer.text)
        ctl.clear_faults()
        ctl.inject_fault(kind="token", status=503, count=50)
        answer = refresh()
        assert answer.status_code == 503, answer.text
    finally:
        ctl.clear_faults()
    assert refresh().status_code == 200
