"""Where a `GET /api/v1/invoices` request spends its time, inside portal-svc (issue 14).

Seeds a tenant's day buckets and search postings as bench/portal_api.py does (PORTAL_PROFILE_SIZE
invoices, 50,000 by default), builds portal-svc's app from the environment in this process,
and calls the first page, `?status=overdue` and `?q=inv-0042` through Flask's test client
PORTAL_PROFILE_REPS times each. Prints per request: wall time, this process's CPU time (the
Python work: JWT, parameters, rows decoded, status, JSON; measured without the profiler),
MongoDB commands sent (by name, from pymongo's command monitoring), the body size, and
cProfile's top functions (PORTAL_PROFILE_TOP, sorted by own time); first with the page cache
off (every read pays for its rows, as just after a write), then on (served again), each
beside `/healthz` (the trivial endpoint's own cost in the same process). CPU time bounds the
worker's throughput (gunicorn's threads share one GIL); wall time is mostly MongoDB round
trips, as loaded as the machine.
"""
from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
import uuid
from typing import Any

import portal_api as bench
from _infra import choose_infra
from clientsynq.common.auth import JwtSigner, generate_signing_key, jwks
from clientsynq.common.mongo import connect_mongo
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import ensure_read_model_indexes
from pymongo import monitoring


class CommandCount(monitoring.CommandListener):
    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}

    def started(self, event: Any) -> None:
        self.by_name[event.command_name] = self.by_name.get(event.command_name, 0) + 1

    def succeeded(self, event: Any) -> None:
        return

    def failed(self, event: Any) -> None:
        return


def main() -> int:
    size = int(os.environ.get("PORTAL_PROFILE_SIZE", "50000"))
    reps = int(os.environ.get("PORTAL_PROFILE_REPS", "30"))
    counter = CommandCount()
    monitoring.register(counter)
    infra = choose_infra()
    mongo = connect_mongo(infra.mongo_uri)
    database = f"bench_portal_profile_{uuid.uuid4().hex[:8]}"
    key = generate_signing_key()
    token = JwtSigner(key, "bench", "clientsynq-auth", "clientsynq").issue(
        subject="bench-user", tenant_id=bench.TENANT, role="owner", plan="enterprise",
        ttl_seconds=3600)
    try:
        store = MongoReadStore(mongo, database)
        ensure_read_model_indexes(store)
        bench.BUCKETS_ONLY = True
        bench.seed(store, size)
        with bench.jwks_server(jwks({"bench": key.public_key()})) as auth_url:
            os.environ.update({"MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": database,
                               "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
                               "PORTAL_AUTH_URL": auth_url, "LOG_LEVEL": "WARNING",
                               "PORTAL_API_RATE_LIMIT_PER_MINUTE": "100000000"})
            from clientsynq.portal.app import create_app_from_env
            headers = {"Authorization": f"Bearer {token}"}
            for cache in ("0", "512"):  # every read a miss (as after a write), then the cache
                os.environ["PORTAL_API_PAGE_CACHE_ENTRIES"] = cache
                print(f"--- page cache entries {cache}", flush=True)
                client = create_app_from_env().test_client()
                for path in ["/healthz", *bench.PATHS]:
                    profile_one(client, path, headers, reps, counter)
    finally:
        mongo.drop_database(database)
        infra.stop()
    return 0


def profile_one(client: Any, path: str, headers: dict[str, str], reps: int,
                counter: CommandCount) -> None:
    assert client.get(path, headers=headers).status_code == 200, path  # warm-up
    counter.by_name.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(reps):
        body = client.get(path, headers=headers).data
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    commands = {name: round(n / reps, 1) for name, n in sorted(counter.by_name.items())}
    print(f"{path}: {wall / reps * 1000:.1f} ms wall, {cpu / reps * 1000:.1f} ms CPU per request;"
          f" MongoDB commands per request {commands}; body {len(body):,} bytes", flush=True)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(reps):
        client.get(path, headers=headers)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(
        int(os.environ.get("PORTAL_PROFILE_TOP", "15")))


if __name__ == "__main__":
    sys.exit(main())
