"""Enterprise webhooks out on real Kafka, MongoDB and auth-svc: registered through the API,
delivered to a receiver that verifies the signatures with its own implementation."""
from __future__ import annotations

import pytest
import requests
from auth_fixtures import free_port
from clientsynq.common.kafka import EventProducer
from clientsynq.common.testing import an_invoice_event
from receiver import Receiver
from webhook_harness import (
    ThreadWorker,
    WebService,
    enterprise_business,
    wait_until,
    webhook_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
TYPES = ["invoice.updated"]


@pytest.fixture
def env(infra, kafka_conn, mongo_db, auth_service):
    return webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth_service.base_url,
                       WEBHOOK_RETRY_TIME_SCALE="0.01", WEBHOOK_DELIVERY_POLL="20ms",
                       WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


def endpoints_url(web: WebService, tenant_id: str) -> str:
    return f"{web.base_url}/webhooks/v1/tenants/{tenant_id}/endpoints"


def register(web, tenant_id, headers, url, types=TYPES) -> dict:
    answer = requests.post(endpoints_url(web, tenant_id), headers=headers, timeout=10,
                           json={"url": url, "event_types": types, "description": "test"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def late_attempts(web: WebService, tenant_id: str, headers: dict, endpoint_id: str) -> list:
    """The attempts of the endpoint's first delivery (empty until one was made): the
    receiver must come up only after an attempt failed, or there is no retry to see."""
    deliveries = requests.get(f"{endpoints_url(web, tenant_id)}/{endpoint_id}/deliveries",
                              headers=headers, timeout=10).json()["deliveries"]
    return deliveries[0]["attempts"] if deliveries else []


def test_signed_delivery_retry_rotation_and_test_event(env, kafka_conn, auth_service):
    tenant_id, headers = enterprise_business(auth_service)
    producer = EventProducer(kafka_conn)
    down_port = free_port()
    with WebService(env) as web, ThreadWorker(env), Receiver() as up:
        created = register(web, tenant_id, headers, up.url)
        up.secrets.append(created["secret"])
        late = register(web, tenant_id, headers, f"http://127.0.0.1:{down_port}/hooks")
        listed = requests.get(endpoints_url(web, tenant_id), headers=headers, timeout=10).json()
        assert len(listed["endpoints"]) == 2 and "secret" not in str(listed)
        event = an_invoice_event(tenant_id=tenant_id)
        producer.publish(event)
        wait_until(lambda: len(up.messages()) == 1, 60, "the first delivery")
        (first,) = up.messages()
        assert first.verified and first.payload["type"] == "invoice.updated"
        assert first.payload["data"]["id"] == event["data"]["invoice"]["id"]
        assert "tenantid" not in first.payload

        wait_until(lambda: late_attempts(web, tenant_id, headers, late["id"]), 60,
                   "a failed attempt to the receiver that is down")
        with Receiver(port=down_port, secrets=[late["secret"]]) as came_up:
            wait_until(lambda: came_up.messages(), 60, "the retry to a receiver now up")
            assert came_up.messages()[0].verified
            assert came_up.messages()[0].message_id == first.message_id
        # the receiver has the message before its outcome is recorded (end of a round)
        attempts = wait_until(lambda: [a for a in [late_attempts(web, tenant_id, headers,
                                                                   late["id"])]
                                       if a[-1]["status"] == 200], 30, "the retry's record")[0]
        assert attempts[0]["outcome"] == "failed" and attempts[-1]["status"] == 200

        rotated = requests.post(f"{endpoints_url(web, tenant_id)}/{created['id']}/secret/rotate",
                                headers=headers, timeout=10).json()
        up.secrets[:] = [rotated["secret"]]
        producer.publish(an_invoice_event(tenant_id=tenant_id))
        wait_until(lambda: len(up.messages()) == 2, 60, "a delivery after rotation")
        up.secrets[:] = [created["secret"]]  # the old secret still verifies in the grace period
        assert up.verifies(up.messages()[1].headers, up.messages()[1].body)

        test = requests.post(f"{endpoints_url(web, tenant_id)}/{created['id']}/test",
                             headers=headers, timeout=10)
        assert test.status_code == 202
        wait_until(lambda: len(up.messages()) == 3, 60, "the test event")
        assert up.messages()[2].payload["type"] == "webhook.test"
    producer.close()


@pytest.mark.parametrize("plan", ["basic", "pro"])
def test_basic_and_pro_businesses_get_403(env, auth_service, plan):
    tenant_id, headers = enterprise_business(auth_service, plan=plan)
    with WebService(env) as web:
        answer = requests.post(endpoints_url(web, tenant_id), headers=headers, timeout=10,
                               json={"url": "https://hooks.example.com", "event_types": TYPES})
        assert answer.status_code == 403
        assert answer.json()["type"].endswith("plan-does-not-allow")


def test_strangers_and_anonymous_callers_are_refused(env, auth_service):
    tenant_id, headers = enterprise_business(auth_service)
    other_id, other_headers = enterprise_business(auth_service)
    with WebService(env) as web, Receiver() as up:
        endpoint = register(web, tenant_id, headers, up.url)
        url = f"{endpoints_url(web, tenant_id)}/{endpoint['id']}"
        assert requests.get(url, timeout=10).status_code == 401
        assert requests.get(url, headers={"Authorization": "Bearer x.y.z"},
                            timeout=10).status_code == 401
        assert requests.get(url, headers=other_headers, timeout=10).status_code == 404
        theirs = f"{endpoints_url(web, other_id)}/{endpoint['id']}"
        assert requests.get(theirs, headers=other_headers, timeout=10).status_code == 404
        bad = requests.post(endpoints_url(web, tenant_id), headers=headers, timeout=10,
                            json={"url": up.url, "event_types": ["invoice.paid"], "x": 1})
        assert bad.status_code == 422


SSRF = ["https://127.0.0.1/hook", "https://[::1]/hook", "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook",
        "https://localhost/hook", "http://example.com/hook"]


def test_ssrf_urls_are_refused_at_registration(infra, kafka_conn, mongo_db, auth_service):
    """127.0.0.1 is refused here: this service runs without a development allowlist;
    `localhost` is a name that resolves to loopback."""
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth_service.base_url,
                      WEBHOOK_ALLOWED_HOSTS="127.0.0.9")
    tenant_id, headers = enterprise_business(auth_service)
    with WebService(env) as web:
        for url in SSRF:
            answer = requests.post(endpoints_url(web, tenant_id), headers=headers, timeout=10,
                                   json={"url": url, "event_types": TYPES})
            assert answer.status_code == 422, (url, answer.text)
        assert mongo_db["endpoints"].count_documents({}) == 0


def test_a_redirect_is_not_followed(env, kafka_conn, auth_service):
    tenant_id, headers = enterprise_business(auth_service)
    producer = EventProducer(kafka_conn)
    with Receiver() as target, Receiver() as redirecting:
        redirecting.redirect_to = target.url
        with WebService(env) as web, ThreadWorker(env):
            endpoint = register(web, tenant_id, headers, redirecting.url)
            producer.publish(an_invoice_event(tenant_id=tenant_id))
            wait_until(lambda: redirecting.messages(), 60, "the delivery attempt")
            deliveries_url = f"{endpoints_url(web, tenant_id)}/{endpoint['id']}/deliveries"
            wait_until(lambda: requests.get(deliveries_url, headers=headers, timeout=10)
                       .json()["deliveries"][0]["attempts"], 30, "the attempt to be recorded")
            attempt = requests.get(deliveries_url, headers=headers,
                                   timeout=10).json()["deliveries"][0]["attempts"][0]
        assert attempt["status"] == 302 and attempt["outcome"] == "failed"
        assert target.messages() == []
    producer.close()
