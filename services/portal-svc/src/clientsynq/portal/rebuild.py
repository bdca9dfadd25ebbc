"""`python -m clientsynq.portal.rebuild`: the read models again, from Kafka alone.

A bug in a projection is fixed in code, then this command replays every projected topic
from the first offset into a fresh database (a new generation), swaps it in with one write
of the pointer document, and replays once more what arrived meanwhile (the live worker may
have written it into the old generation only). Projections are idempotent and
version-guarded, so events seen twice change nothing. QuickBooks is never asked.
The old generation is kept (its name printed) until dropped by hand or with --drop-old.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.portal.adapters.kafka_replay import KafkaReplay
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import ensure_read_model_indexes, mongo_read_models
from clientsynq.portal.bootstrap import WorkerDeps, build_worker
from clientsynq.portal.config import Settings
from clientsynq.portal.projections.handlers import TOPICS, dispatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildResult:
    old: str
    new: str
    events: int


def rebuild(deps: WorkerDeps, clock: Callable[[], datetime] | None = None,
            follow_seconds: float = 1.0) -> RebuildResult:
    """`follow_seconds`: how long readers may keep using the old generation after the swap
    (the read store's pointer cache); the catch-up replay waits that long first."""
    store = deps.store
    old = store.active_name()
    new = f"{store.base.name}_gen_{int(time.time() * 1000)}"
    fresh = store.generation(new)
    ensure_read_model_indexes(fresh)
    read = mongo_read_models(fresh, clock or deps.clock)
    handle = dispatcher(read, clock or deps.clock)
    replay = KafkaReplay(deps.platform.kafka, TOPICS)
    try:
        end = replay.end_offsets()
        count = replay.replay(handle, None, end)
        store.point_to(new)
        time.sleep(follow_seconds)  # readers' pointer cache lifetime (production code)
        count += replay.replay(handle, end, replay.end_offsets())
    finally:
        replay.close()
    log.info("portal.rebuild_swapped", extra={"old": old, "new": new, "events": count})
    return RebuildResult(old=old, new=new, events=count)


def drop_generation(store: MongoReadStore, name: str) -> None:
    if name in (store.base.name, store.active_name()):
        return  # never the base database, never the one in use
    store.base.client.drop_database(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clientsynq.portal.rebuild", description=__doc__)
    parser.add_argument("--drop-old", action="store_true", help="drop the replaced generation")
    args = parser.parse_args(argv)
    settings = load_or_exit(Settings.from_env)
    configure_logging("portal-rebuild", settings.common.log_level)
    deps = build_worker(settings)
    try:
        result = rebuild(deps)
        if args.drop_old:
            drop_generation(deps.store, result.old)
    finally:
        deps.producer.close()
    print(f"rebuilt {result.events} events into {result.new} (was {result.old})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
