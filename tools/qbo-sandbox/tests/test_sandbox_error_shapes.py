"""Every error shape a client meets, injectable from the control API, over HTTP."""

from __future__ import annotations

import threading
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from qbo_sandbox.control import ControlError, SandboxControl
from qbo_sandbox.testing import running_sandbox

COUNT = "SELECT COUNT(*) FROM Customer"
NS = "{http://schema.intuit.com/finance/v3}"


def _xml_error(response: requests.Response) -> tuple[str, str]:
    root = ElementTree.fromstring(response.content)
    fault = root.find(f"{NS}Fault")
    assert fault is not None
    error = fault.find(f"{NS}Error")
    assert error is not None
    return fault.get("type", ""), error.get("code", "")


def test_a_bad_token_without_accept_json_gets_the_xml_401_code_100(api: Any) -> None:
    answer = requests.get(api.url("query"), params={"query": COUNT}, timeout=10,
                          headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/xml")
    assert _xml_error(answer) == ("AuthenticationFault", "100")
    with_json = requests.get(api.url("query"), params={"query": COUNT}, timeout=10,
                             headers={"Authorization": "Bearer not-a-token",
                                      "Accept": "application/json"})
    assert with_json.json()["fault"]["error"][0]["code"] == "3200"


def test_the_xml_401_for_every_bad_token_as_an_option() -> None:
    with running_sandbox(auth_fault_body="xml") as box:
        realm = box.control.create_company()["realm_id"]
        answer = requests.get(f"{box.base_url}/v3/company/{realm}/query", timeout=10,
                              params={"query": COUNT},
                              headers={"Authorization": "Bearer expired",
                                       "Accept": "application/json"})
    assert answer.status_code == 401 and _xml_error(answer)[1] == "100"


def test_injected_xml_401(api: Any, control: SandboxControl) -> None:
    control.inject_fault(shape="xml_auth", realm_id=api.realm_id, kind="read")
    answer = api.get("customer/1")
    assert answer.status_code == 401 and _xml_error(answer)[1] == "100"
    assert api.get("customer/1").status_code == 200


@pytest.mark.parametrize("status", [502, 504])
def test_html_gateway_pages(api: Any, control: SandboxControl, status: int) -> None:
    control.inject_fault(shape="html", status=status, realm_id=api.realm_id, kind="query")
    answer = api.query(COUNT)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.lstrip().startswith("<html>") and str(status) in answer.text
    with pytest.raises(ValueError):
        answer.json()


@pytest.mark.parametrize(("shape", "status", "code", "fault_type"), [
    ("auth_120", 403, "120", "AuthorizationFault"),
    ("company_6190", 403, "6190", "ValidationFault")])
def test_403_codes_120_and_6190(api: Any, control: SandboxControl, shape: str, status: int,
                                code: str, fault_type: str) -> None:
    control.inject_fault(shape=shape, realm_id=api.realm_id, kind="api")
    answer = api.query(COUNT)
    assert answer.status_code == status
    fault = answer.json()["Fault"]
    assert fault["type"] == fault_type and fault["Error"][0]["code"] == code


def test_6190_can_come_inside_a_200(api: Any, control: SandboxControl) -> None:
    control.inject_fault(shape="company_6190", status=200, realm_id=api.realm_id,
                         kind="write")
    answer = api.post("customer", {"DisplayName": "Never stored"})
    assert answer.status_code == 200
    assert answer.json()["Fault"]["Error"][0]["code"] == "6190"
    found = api.query("SELECT * FROM Customer WHERE DisplayName = 'Never stored'").json()
    assert found["QueryResponse"] == {}


def test_a_fault_inside_a_200_for_every_batch_item(api: Any, control: SandboxControl) -> None:
    control.inject_fault(shape="fault_200", realm_id=api.realm_id, kind="batch")
    answer = api.post("batch", {"BatchItemRequest": [
        {"bId": "a", "operation": "create", "Customer": {"DisplayName": "Batch lost"}},
        {"bId": "b", "Query": "SELECT * FROM Term"}]})
    assert answer.status_code == 200
    items = answer.json()["BatchItemResponse"]
    assert [i["bId"] for i in items] == ["a", "b"]
    assert all(i["Fault"]["type"] == "SystemFault" for i in items)
    found = api.query("SELECT * FROM Customer WHERE DisplayName = 'Batch lost'").json()
    assert found["QueryResponse"] == {}


def test_a_request_that_never_answers(api: Any, control: SandboxControl) -> None:
    control.inject_fault(hang=True, realm_id=api.realm_id, kind="query")
    with pytest.raises(requests.Timeout):  # the client gave up: no answer came
        requests.get(api.url("query"), params={"query": COUNT}, headers=api.headers(),
                     timeout=0.5)
    threading.Thread(target=control.clear_faults, daemon=True).start()  # frees the thread
    assert api.query(COUNT).status_code == 200


def test_a_hang_with_a_bound_closes_without_an_answer(api: Any,
                                                       control: SandboxControl) -> None:
    control.inject_fault(hang=True, delay_ms=200, realm_id=api.realm_id, kind="read")
    with pytest.raises(requests.ConnectionError):
        api.get("customer/1")


def test_mismatched_shapes_are_refused(control: SandboxControl) -> None:
    for fields in ({"shape": "html", "status": 500}, {"shape": "nope"},
                   {"shape": "auth_120", "drop": True}, {"hang": True, "when": "after"}):
        with pytest.raises(ControlError):
            control.inject_fault(**fields)
