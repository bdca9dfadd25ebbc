"""One holder at a time; a dead holder's lease expires and can be taken."""
from __future__ import annotations

import time

import pytest
from clientsynq.common.lease import Lease, LeaseUnavailable

pytestmark = pytest.mark.integration


def test_a_second_holder_is_excluded_while_the_lease_is_held(mongo_db):
    first = Lease(mongo_db.leases, "refresh:realm-1", "replica-a", ttl_seconds=30)
    second = Lease(mongo_db.leases, "refresh:realm-1", "replica-b", ttl_seconds=30)
    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(LeaseUnavailable):
        with second:
            pass


def test_a_released_lease_can_be_taken_by_another_holder(mongo_db):
    first = Lease(mongo_db.leases, "sync:realm-1", "replica-a")
    with first:
        pass
    assert Lease(mongo_db.leases, "sync:realm-1", "replica-b").acquire()


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_renew(mongo_db):
    first = Lease(mongo_db.leases, "sync:realm-2", "replica-a", ttl_seconds=0.5)
    second = Lease(mongo_db.leases, "sync:realm-2", "replica-b", ttl_seconds=30)
    assert first.acquire()
    time.sleep(0.8)
    assert second.acquire()
    assert second.fence > first.fence
    assert not first.renew()
    assert second.renew()


def test_leases_on_different_names_do_not_interfere(mongo_db):
    assert Lease(mongo_db.leases, "sync:realm-a", "x").acquire()
    assert Lease(mongo_db.leases, "sync:realm-b", "y").acquire()
