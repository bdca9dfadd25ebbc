"""The schedule: customers daily, invoices hourly, a payments CDC safety net every few
minutes, and a daily CDC reconciliation of everything (Intuit: webhooks can be late or
lost). Enterprise tenants may set their own intervals.

Each due slot becomes a `sync.requested(schedule|reconcile)` in the outbox of the slot's
claim document, inserted once: with several replicas ticking only one requests it, and a
crash between "claimed" and "published" loses nothing.

What a tick costs: O(what fell due), not O(tenants). When a slot falls due is a pure
function of the tenant, the kind and the interval (`domain.schedule.slot_start`), so each
replica keeps the roster of connected tenants in memory (one scan every
`roster_seconds`) and a heap of the next due time per tenant and kind. A tick pops what
fell due, reads those tenants by `_id` (still connected, not paused, same controls?) and
claims their slots; a tenant with nothing due costs no read. (FerretDB 1.x answers only
`{_id: <string>}` without scanning a collection: docs/benchmarks.md.)

One replica ticks at a time, the holder of the `sync-scheduler` lease (insert-based,
`common.lease`); the others stand by at one lease read a tick, so the fleet's cost does not
grow with its replica count, and a dead leader is replaced once its lease expires. Slots
are still claimed by unique insert, so two replicas briefly both leading request nothing
twice.

Start-up: the schedulers keep a watermark, the latest time through which a replica
requested everything due. A replica starting requests the current slots that fell due
after it (all of them on a first deployment), so a restart neither repeats the schedule
nor loses slots that fell due while every replica was down.

Staleness, by design: a new connection joins at the next roster refresh (its initial
sync covers the current slots meanwhile: `engine.healing.slots_covered`); a disconnect, a
pause or a dropped entity is seen when its next slot falls due (read fresh); a changed
interval applies from the next refresh or the next due slot, whichever comes first.
"""
from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from clientsynq.common.lease import Lease
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain import events
from clientsynq.sync.domain.model import (
    RECONCILE,
    TenantState,
    controls_in_force,
)
from clientsynq.sync.domain.schedule import intervals_for, next_start, slot_of, slot_start

if TYPE_CHECKING:  # bootstrap wires the worker; importing it here would be a cycle
    from clientsynq.sync.bootstrap import WorkerDeps

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (tenant, kind)
Entry = tuple[float, str, str, float]  # (due at, tenant, kind, interval)


class Scheduler:
    def __init__(self, tenants: TenantStore, claims: ScheduleClaims, schedule: ScheduleSettings,
                 source: str, plan_of: Callable[[str], str], lease: Lease | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lease = lease  # None: always tick (tests, a single replica)
        self._monotonic = monotonic
        self._tenants = tenants
        self._plan_of = plan_of
        self._claims = claims
        self._schedule = schedule
        self._source = source
        self._pending: dict[Key, tuple[float, float]] = {}  # the heap's live entries
        self._heap: list[Entry] = []
        self._through: float | None = None  # everything due until then was requested
        self._roster_at: float | None = None

    def run(self, stop: threading.Event) -> None:
        """Loop edge: a failed tick is logged and the next one tries again."""
        while not stop.wait(self._schedule.tick_seconds):
            try:
                self.lead_and_tick(datetime.now(UTC))
            except Exception:
                log.exception("sync.scheduler_tick_failed")
        if self._lease is not None:
            self._lease.release()

    def lead_and_tick(self, now: datetime) -> int | None:
        """Ticks if this replica holds (or takes) the lease; None while standing by. A
        standby forgets its heap: when it leads it starts again from the watermark."""
        if self._lease is not None and not self._lease.acquire():
            self._pending, self._heap, self._through, self._roster_at = {}, [], None, None
            return None
        return self.tick(now)

    def tick(self, now: datetime) -> int:
        """Requests what fell due since the last tick; returns how many were requested."""
        moment = now.timestamp()
        if self._roster_at is None or not 0 <= moment - self._roster_at < \
                self._schedule.roster_seconds:
            self._refresh(now)
        requested, complete = self._drain(now)
        if complete:
            self._through = moment
            self._claims.advance_watermark(moment)
        return requested

    @property
    def scheduled(self) -> int:
        """(tenant, kind) pairs this replica watches (for the bench and the tests)."""
        return len(self._pending)

    # --- the roster ------------------------------------------------------------------
    def _refresh(self, now: datetime) -> None:
        """One scan of connected tenants: who joined, who left, whose intervals changed."""
        if self._through is None:
            self._through = self._claims.watermark()
        baseline = float("-inf") if self._through is None else self._through
        wanted: dict[Key, float] = {}
        for stored in self._tenants.connected():
            tenant = controls_in_force(stored, self._plan_of)
            if tenant is not None and tenant.may_sync():
                for kind, interval in intervals_for(tenant, self._schedule).items():
                    wanted[(tenant.tenant_id, kind)] = interval
        for key, (_, interval) in list(self._pending.items()):
            if wanted.get(key) != interval:
                del self._pending[key]
        for (tenant_id, kind), interval in wanted.items():
            if (tenant_id, kind) not in self._pending:
                start = slot_start(tenant_id, kind, interval,
                                   slot_of(tenant_id, kind, interval, now))
                self._push(tenant_id, kind, interval, start if start > baseline
                           else next_start(tenant_id, kind, interval, now))
        self._roster_at = now.timestamp()
        if len(self._heap) > 2 * len(self._pending) + 64:  # drop entries no longer live
            self._heap = [(at, t, k, i) for (t, k), (at, i) in self._pending.items()]
            heapq.heapify(self._heap)

    def _push(self, tenant_id: str, kind: str, interval: float, at: float) -> None:
        self._pending[(tenant_id, kind)] = (at, interval)
        heapq.heappush(self._heap, (at, tenant_id, kind, interval))

    # --- what fell due ---------------------------------------------------------------
    def _drain(self, now: datetime) -> tuple[int, bool]:
        due: dict[str, list[Entry]] = {}
        while self._heap and self._heap[0][0] <= now.timestamp():
            entry = heapq.heappop(self._heap)
            if self._pending.get((entry[1], entry[2])) == (entry[0], entry[3]):
                due.setdefault(entry[1], []).append(entry)
        requested, complete, leading = 0, True, True
        renewed = self._monotonic()
        for tenant_id, entries in due.items():
            if leading and self._lease is not None and \
                    self._monotonic() - renewed > self._lease.ttl_seconds / 3:
                # a long tick (a first one, a slow server) keeps the lease it needs
                leading, renewed = self._lease.renew(), self._monotonic()
            if not leading:  # lost it: what is left waits for the next leader
                complete = False
                self._repush(tenant_id, entries)
                continue
            try:
                requested += self._tenant_due(tenant_id, entries, now)
            except Exception:  # this tenant is retried next tick; the others go on
                log.exception("sync.scheduler_tenant_failed", extra={"tenant_id": tenant_id})
                complete = False
                self._repush(tenant_id, entries)
        return requested, complete

    def _repush(self, tenant_id: str, entries: list[Entry]) -> None:
        """Entries not handled this tick (those already advanced are not live any more)."""
        for entry in entries:
            if self._pending.get((tenant_id, entry[2])) == (entry[0], entry[3]):
                heapq.heappush(self._heap, entry)

    def _tenant_due(self, tenant_id: str, entries: list[Entry], now: datetime) -> int:
        """One read by `_id` for the tenant, one claim per due kind, then the next slot."""
        tenant = controls_in_force(self._tenants.get(tenant_id), self._plan_of)
        fresh = intervals_for(tenant, self._schedule) \
            if tenant is not None and tenant.may_sync() else {}
        requested = 0
        for _, _, kind, _ in entries:
            interval = fresh.get(kind)
            if tenant is None or interval is None:  # gone, paused or dropped: the roster
                self._pending.pop((tenant_id, kind), None)  # takes it back if it returns
                continue
            requested += self._request(tenant, kind, interval, now)
            self._push(tenant_id, kind, interval, next_start(tenant_id, kind, interval, now))
        return requested

    def _request(self, tenant: TenantState, kind: str, interval: float, now: datetime) -> int:
        entities = list(tenant.controls.entities) if kind == RECONCILE else [kind]
        envelope = events.sync_requested(
            tenant_id=tenant.tenant_id, realm_id=tenant.realm_id, source=self._source,
            entities=entities, reason="reconcile" if kind == RECONCILE else "schedule",
            mode="incremental")
        if not self._claims.claim(tenant.tenant_id, kind, interval, now, [envelope]):
            return 0  # another replica (or a completed initial sync) has this slot
        log.info("sync.scheduled", extra={"tenant_id": tenant.tenant_id, "kind": kind})
        return 1


def scheduler_lease(deps: WorkerDeps) -> Lease:
    """Held across ticks (renewed by each, and within a long one): three ticks, at least
    5 s, so a standby takes over within that when the leader dies (90 s in production,
    seconds with a compressed schedule such as the e2e drills')."""
    ttl = max(5.0, 3 * deps.settings.schedule.tick_seconds)
    return Lease(deps.base.leases, "sync-scheduler", deps.holder, ttl_seconds=ttl)
