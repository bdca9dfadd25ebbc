"""Our Standard Webhooks signatures, verified by an independent implementation (the
`standardwebhooks` package), including both secrets during a rotation's grace period."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.webhooks.domain.signing import signature_headers
from fakes import FakeClock
from outbound_builders import an_endpoint
from outbound_builders import an_outbound as any_outbound
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BODY = b'{"type":"invoice.updated","version":"v1","timestamp":"2026-11-01T12:00:00Z","data":{}}'


def an_outbound():
    """The independent verifier refuses timestamps five minutes off its own clock."""
    return any_outbound(FakeClock(datetime.now(UTC)))


def headers_for(secrets, now) -> dict[str, str]:
    return signature_headers(secrets, "msg_abc", int(now.timestamp()), BODY)


def test_an_independent_verifier_accepts_our_signature():
    deps = an_outbound()
    endpoint = an_endpoint(deps)
    now = deps.clock()
    secret = endpoint.secrets[0].value
    assert secret.startswith("whsec_")
    verified = Webhook(secret).verify(BODY, headers_for(endpoint.signing_secrets(now), now))
    assert verified["type"] == "invoice.updated"


def test_a_changed_body_or_another_secret_fails_verification():
    deps = an_outbound()
    endpoint, other = an_endpoint(deps), an_endpoint(deps)
    now = deps.clock()
    headers = headers_for(endpoint.signing_secrets(now), now)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secrets[0].value).verify(BODY.replace(b"v1", b"v2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secrets[0].value).verify(BODY, headers)


def test_during_a_rotation_both_secrets_sign_until_the_grace_period_ends():
    deps = an_outbound()
    endpoint = an_endpoint(deps)
    old = endpoint.secrets[0].value
    now = deps.clock()
    rotated, new = endpoint.rotated(now, timedelta(hours=24))
    during = headers_for(rotated.signing_secrets(now), now)
    Webhook(old).verify(BODY, during)
    Webhook(new).verify(BODY, during)
    after = headers_for(rotated.signing_secrets(now + timedelta(hours=24)), now)
    Webhook(new).verify(BODY, after)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, after)
