"""One holder at a time; a dead holder's lease expires and can be taken."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from clientsynq.common.lease import Lease, LeaseUnavailable
from clocks import OffsetClock

pytestmark = pytest.mark.integration


def test_a_second_holder_is_excluded_while_the_lease_is_held(mongo_db):
    first = Lease(mongo_db.leases, "refresh:realm-1", "replica-a", ttl_seconds=30)
    second = Lease(mongo_db.leases, "refresh:realm-1", "replica-b", ttl_seconds=30)
    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(LeaseUnavailable), second:
        pass


def test_a_released_lease_can_be_taken_by_another_holder(mongo_db):
    first = Lease(mongo_db.leases, "sync:realm-1", "replica-a")
    with first:
        pass
    assert Lease(mongo_db.leases, "sync:realm-1", "replica-b").acquire()


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_renew(mongo_db):
    later = OffsetClock()
    first = Lease(mongo_db.leases, "sync:realm-2", "replica-a", ttl_seconds=30)
    second = Lease(mongo_db.leases, "sync:realm-2", "replica-b", ttl_seconds=30, clock=later)
    assert first.acquire()
    assert not second.acquire()
    later.advance(31)  # by replica-b's clock, replica-a's lease has run out
    assert second.acquire()
    assert second.fence > first.fence
    assert not first.renew()
    assert second.renew()


def winners_of_a_race(mongo_db, name: str, replicas: int = 8) -> list[str]:
    """Start `replicas` threads at the same instant, each trying to acquire `name`."""
    barrier = threading.Barrier(replicas)
    winners: list[str] = []

    def race(holder: str) -> None:
        lease = Lease(mongo_db.leases, name, holder, ttl_seconds=30)
        barrier.wait()
        if lease.acquire():
            winners.append(holder)

    threads = [threading.Thread(target=race, args=(f"replica-{i}",)) for i in range(replicas)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return winners


def test_of_many_replicas_racing_for_a_free_lease_exactly_one_wins(mongo_db):
    assert len(winners_of_a_race(mongo_db, "refresh:realm-race")) == 1


def test_an_expired_lease_raced_for_by_many_replicas_has_one_new_holder(mongo_db):
    earlier = OffsetClock()
    earlier.advance(-0.4)  # the old holder took it 0.4 s ago: expired before the race
    old = Lease(mongo_db.leases, "refresh:realm-exp", "replica-old", ttl_seconds=0.2,
                clock=earlier)
    assert old.acquire()
    assert len(winners_of_a_race(mongo_db, "refresh:realm-exp")) == 1


def test_leases_on_different_names_do_not_interfere(mongo_db):
    assert Lease(mongo_db.leases, "sync:realm-a", "x").acquire()
    assert Lease(mongo_db.leases, "sync:realm-b", "y").acquire()


def test_a_long_job_renews_as_it_goes_and_stops_once_the_lease_is_lost(mongo_db):
    """renew_if_due, called per item of a long job (the outbox relay marks documents with
    it): free while two thirds of the TTL remain, a renewal after that, False once lost.
    (A 60 s lease: the real time between steps, seconds on a loaded machine, cannot matter.)"""
    clock = OffsetClock()
    lease = Lease(mongo_db.leases, "outbox-relay:x", "replica-a", ttl_seconds=60, clock=clock)
    assert lease.acquire()
    first_expiry = mongo_db.leases.find_one({"holder": "replica-a"})["expires_at"]
    clock.advance(10)
    assert lease.renew_if_due()
    assert mongo_db.leases.find_one({"holder": "replica-a"})["expires_at"] == first_expiry
    clock.advance(15)  # 25 s into a 60 s lease: renewed, so the job may go on past 60 s
    assert lease.renew_if_due()
    assert mongo_db.leases.find_one({"holder": "replica-a"})["expires_at"] > first_expiry
    clock.advance(45)
    assert lease.renew_if_due()  # still ours: the renewal moved the end
    clock.advance(70)  # a stall longer than the TTL: lost, the job must stop
    assert not lease.renew_if_due()
    assert Lease(mongo_db.leases, "outbox-relay:x", "replica-b", ttl_seconds=60,
                 clock=clock).acquire()


def test_old_epochs_are_pruned_every_few_acquisitions_not_each(mongo_db):
    """A run takes its realm's lease once; pruning on every take was one round trip in
    four. Every KEPT_EPOCHS-th take prunes, so at most twice KEPT_EPOCHS epochs stay."""
    from clientsynq.common.lease import KEPT_EPOCHS

    kept = []
    for n in range(4 * KEPT_EPOCHS):
        lease = Lease(mongo_db.leases, "sync:realm-prune", f"replica-{n}")
        assert lease.acquire()
        lease.release()
        kept.append(mongo_db.leases.count_documents({"name": "sync:realm-prune"}))
    assert max(kept) <= 2 * KEPT_EPOCHS
    assert kept[KEPT_EPOCHS * 2 - 2] == KEPT_EPOCHS * 2 - 1  # not pruned in between
    assert kept[-1] < kept[-2]  # pruned at a KEPT_EPOCHS-th epoch
    latest = mongo_db.leases.find_one({"name": "sync:realm-prune"}, sort=[("epoch", -1)])
    assert latest["epoch"] == 4 * KEPT_EPOCHS  # the epochs still count on from the newest


def test_a_refused_acquisition_says_until_when_the_lease_is_held(mongo_db):
    later = OffsetClock()
    first = Lease(mongo_db.leases, "sync:realm-held", "replica-a", ttl_seconds=30, clock=later)
    second = Lease(mongo_db.leases, "sync:realm-held", "replica-b", ttl_seconds=30, clock=later)
    assert first.acquire()
    assert not second.acquire()
    assert second.held_until is not None
    assert abs((second.held_until - later()).total_seconds() - 30) < 1
    first.release()
    assert second.acquire() and second.held_until is None


def _taken_elsewhere(mongo_db, name: str, epoch: int, expires_at) -> None:
    """An epoch as another process's acquisition inserts it (that process's own memory of
    the epochs it saw is not this one's)."""
    mongo_db.leases.insert_one({"_id": f"{name}#{epoch:012d}", "name": name, "epoch": epoch,
                                "holder": "elsewhere", "acquired_at": expires_at,
                                "expires_at": expires_at})


def test_an_epoch_seen_here_then_pruned_elsewhere_never_wins_a_stale_epoch(mongo_db):
    """Taking the lease is decided by the newest epoch, whatever this process saw before:
    a pruned gap is not mistaken for the end (inserting the pruned epoch 2 would be a
    second holder beside epoch 12's), and an epoch held elsewhere is found held."""
    from clientsynq.common.lease import RELEASED

    name = "sync:realm-seen"
    first = Lease(mongo_db.leases, name, "replica-a")
    assert first.acquire()  # this process has seen epoch 1
    first.release()
    for epoch in range(2, 12):
        _taken_elsewhere(mongo_db, name, epoch, RELEASED)
    mongo_db.leases.delete_many({"name": name, "epoch": {"$lt": 7}})  # pruned elsewhere
    second = Lease(mongo_db.leases, name, "replica-b")
    assert second.acquire() and second.fence == 12
    later = OffsetClock()
    _taken_elsewhere(mongo_db, name, 13, later() + timedelta(seconds=30))  # held elsewhere
    second.release()
    third = Lease(mongo_db.leases, name, "replica-c", clock=later)
    assert not third.acquire() and third.held_until is not None
    later.advance(31)
    assert third.acquire() and third.fence == 14
