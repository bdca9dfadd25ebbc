"""A projection worker killed between counting a customer and storing its snapshot: the
consumer commits after handling, so the same snapshot comes again, and "customers synced"
must count it once (not twice, and not zero times)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.portal.adapters.mongo_customers import MongoCustomers
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import mongo_read_models
from portal_builders import T0, TENANT, a_customer, version
from portal_fakes import FixedClock

pytestmark = pytest.mark.integration


@pytest.fixture
def customers(read_store: MongoReadStore) -> MongoCustomers:
    read = mongo_read_models(read_store, FixedClock(datetime(2026, 6, 15, 12, tzinfo=UTC)))
    assert isinstance(read.customers, MongoCustomers)
    return read.customers


def test_a_new_customer_counted_but_not_stored_is_counted_once_when_it_comes_again(customers):
    customers.apply(a_customer("1"), version(T0, 0))
    # What the killed worker did with customer 2: the count, nothing after it.
    customers.count_change(TENANT, 1, f"2@{version(T0, 0)}")
    assert customers.get(TENANT, "2") is None
    # The redelivery stores it and does not count it again.
    assert customers.apply(a_customer("2"), version(T0, 0))
    assert customers.get(TENANT, "2") is not None
    assert customers.count_active(TENANT) == 2
    assert not customers.apply(a_customer("2"), version(T0, 0))  # a plain duplicate
    assert customers.count_active(TENANT) == 2


def test_a_customer_made_inactive_and_redelivered_after_a_crash_leaves_the_count_right(
        customers):
    customers.apply(a_customer("1"), version(T0, 0))
    customers.apply(a_customer("2"), version(T0, 0))
    later = T0 + timedelta(minutes=5)
    gone = replace(a_customer("1", updated_at=later), deleted=True)
    customers.count_change(TENANT, -1, f"1@{version(later, 1)}")  # the killed worker's half
    assert customers.apply(gone, version(later, 1))
    assert customers.count_active(TENANT) == 1
    assert customers.get(TENANT, "1") is None
