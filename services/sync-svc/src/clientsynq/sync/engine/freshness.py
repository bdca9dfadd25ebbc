"""How long ago each business's entities last synced successfully: the sync-age alert.

A collector rather than a gauge, so the age is computed at scrape time and keeps growing
between runs (a gauge set at completion would freeze at zero). Each worker replica reports
the successes it carried out itself; the alert takes the youngest age per business and
entity across replicas (`min by`). After a restart a business is reported again from its
next success, so a fresh worker never raises a false alarm.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

METRIC = "clientsynq_sync_last_success_age_seconds"


class LastSuccess(Collector):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def record(self, tenant_id: str, entities: Iterable[str]) -> None:
        """A run of these entities for this business completed now."""
        now = self._clock()
        with self._lock:
            for entity in entities:
                self._seen[(tenant_id, entity)] = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(METRIC, "Seconds since this worker last completed a sync "
                                   "of the entity for the business",
                                   labels=["tenant_id", "entity"])
        now = self._clock()
        with self._lock:
            seen = list(self._seen.items())
        for (tenant_id, entity), at in seen:
            family.add_metric([tenant_id, entity], max(now - at, 0.0))
        yield family


LAST_SUCCESS = LastSuccess()
REGISTRY.register(LAST_SUCCESS)
