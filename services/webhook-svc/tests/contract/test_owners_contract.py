"""The OwnerDirectory port: the fake and auth-svc's internal API (the real auth-svc, signed up
through its public API) both name a business's owners, and nobody else's."""
from __future__ import annotations

import pytest
from clientsynq.webhooks.adapters.owners import AuthOwnerDirectory
from fakes import FakeOwners
from webhook_harness import enterprise_business

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(params=["fake", "auth-svc"])
def directory_and_owner(request) -> tuple[object, str, str]:
    """(directory, tenant id, the owner's email) for one business just signed up."""
    if request.param == "fake":
        return FakeOwners({"t-1": ["owner@example.com"]}), "t-1", "owner@example.com"
    auth = request.getfixturevalue("auth_service")
    tenant_id, _headers, email = enterprise_business(auth, with_email=True)
    return AuthOwnerDirectory(auth.base_url, auth.webhook_secret), tenant_id, email


def test_the_owners_of_a_business_are_named(directory_and_owner):
    directory, tenant_id, email = directory_and_owner
    assert list(directory.owner_emails(tenant_id)) == [email]
