"""A service secret rotates without a refused call: the callee accepts the previous secret
beside the new one until every caller has moved, and only for the service it belonged to."""
from __future__ import annotations

from clientsynq.common.auth import ServiceCredentialCheck

OLD, NEW, PORTAL = "old-sync-secret-0123456789", "new-sync-secret-0123456789", "portal-" + "p" * 20


def test_during_a_rotation_both_secrets_name_the_caller():
    check = ServiceCredentialCheck({"sync-svc": NEW, "portal-svc": PORTAL},
                                   previous={"sync-svc": OLD})
    assert check.authenticate(f"Service sync-svc:{NEW}") == "sync-svc"
    assert check.authenticate(f"Service sync-svc:{OLD}") == "sync-svc"
    assert check.authenticate(f"Bearer {OLD}") == "sync-svc"


def test_a_previous_secret_speaks_only_for_its_own_service():
    check = ServiceCredentialCheck({"sync-svc": NEW, "portal-svc": PORTAL},
                                   previous={"sync-svc": OLD})
    assert check.authenticate(f"Service portal-svc:{OLD}") is None


def test_once_the_rotation_ends_the_old_secret_is_refused():
    check = ServiceCredentialCheck({"sync-svc": NEW})
    assert check.authenticate(f"Service sync-svc:{OLD}") is None
    assert check.authenticate(f"Service sync-svc:{NEW}") == "sync-svc"
