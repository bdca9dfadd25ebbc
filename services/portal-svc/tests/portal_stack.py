"""Everything real, once per test module: Kafka topics of its own, the QBO sandbox, auth-svc
over HTTP with a business connected through OAuth, sync-svc's worker, portal's worker, the
portal app over HTTP, and the gateway in front of portal and auth."""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from auth_fixtures import free_port, start_auth_service
from clientsynq.common.clock import utc_now
from clientsynq.common.kafka import KafkaConnection, ensure_topics
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import mongo_read_models
from clientsynq.portal.app import create_app
from clientsynq.portal.bootstrap import build
from clientsynq.portal.config import Settings
from clientsynq.portal.readmodels.ports import ReadModels
from portal_harness import ThreadWorker, portal_env, wait_until
from qbo_fixtures import ConnectedTenant, connect_new_tenant
from threads import ServedApp, WorkerThread

# sync-svc's own test harness (on pyproject's pythonpath) reads the sandbox company as the
# help page scopes it; reused, not copied (test code only: the services never import each
# other).


@dataclass
class PortalStack:
    conn: KafkaConnection
    tenant: ConnectedTenant
    store: MongoReadStore
    read: ReadModels
    portal_url: str
    gateway_url: str
    worker: ThreadWorker
    env: dict[str, str]

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    def token(self) -> str:
        """A fresh access token: its plan claim is the business's plan now."""
        refreshed = self.tenant.session.post(
            f"{self.tenant.auth.base_url}/auth/v1/token/refresh", timeout=30)
        assert refreshed.status_code == 200, refreshed.text
        return str(refreshed.json()["access_token"])


def _sync_worker(infra: Any, conn: KafkaConnection, auth: Any, sandbox: Any,
                 database: str) -> Any:
    from clientsynq.sync.bootstrap import build_worker as build_sync_worker
    from clientsynq.sync.config import Settings as SyncSettings
    from clientsynq.sync.worker import Worker as SyncWorker

    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
           "KAFKA_TOPIC_PREFIX": conn.topic_prefix, "MONGODB_URI": infra.mongo_uri,
           "MONGODB_DATABASE": database, "SERVICE_SECRET_SYNC": auth.sync_secret,
           # portal→sync's own secret (this stack serves no sync controls over HTTP)
           "SERVICE_SECRET_PORTAL_SYNC": secrets.token_urlsafe(24),
           "SYNC_AUTH_URL": auth.base_url,
           "SYNC_QBO_BASE_URL": sandbox.base_url, "SYNC_QBO_RETRY_INITIAL": "50ms",
           "SYNC_QBO_RETRY_MAX": "500ms", "SYNC_LEASE_TTL": "30s", "SYNC_METRICS_PORT": "0",
           "SYNC_SCHEDULER_TICK": "3600s"}
    return SyncWorker(build_sync_worker(SyncSettings.from_env(env)))


@contextmanager
def portal_stack(infra: Any, mongo_client: Any, sandbox: Any, workdir: Path,
                 **company: int) -> Iterator[PortalStack]:
    from localinfra.gateway import running_gateway

    suffix = uuid.uuid4().hex[:10]
    conn = KafkaConnection(infra.kafka_bootstrap, topic_prefix=f"t{suffix}.",
                           client_id="clientsynq-test")
    ensure_topics(conn)
    names = {n: f"test_{n}_{suffix}" for n in ("auth", "sync", "portal")}
    with ExitStack() as stack:
        stack.callback(lambda: [mongo_client.drop_database(n) for n in names.values()])
        auth = start_auth_service(kafka_bootstrap=infra.kafka_bootstrap,
                                  topic_prefix=conn.topic_prefix, mongo_uri=infra.mongo_uri,
                                  database=names["auth"], sandbox=sandbox)
        stack.callback(auth.close)
        tenant = connect_new_tenant(auth, sandbox, plan="pro", **company)
        sync = _sync_worker(infra, conn, auth, sandbox, names["sync"])
        stack.enter_context(WorkerThread(sync, "sync-worker"))
        env = portal_env(infra, conn.topic_prefix, names["portal"],
                         PORTAL_AUTH_URL=auth.base_url,
                         SERVICE_SECRET_PORTAL=auth.portal_secret,
                         PORTAL_TRUSTED_PROXY_HOPS="1")
        worker = stack.enter_context(ThreadWorker(env))
        portal = stack.enter_context(ServedApp(create_app(build(Settings.from_env(env))),
                                               name="portal-http"))
        gateway_port = free_port()
        gateway_url = stack.enter_context(running_gateway(
            workdir, gateway_port, {"portal": portal.base_url.removeprefix("http://"),
                                    "auth": auth.base_url.removeprefix("http://")}))
        wait_until(lambda: _answers(gateway_url), 15, "the gateway")
        store = MongoReadStore(mongo_client, names["portal"], ttl_seconds=0)
        yield PortalStack(conn, tenant, store, mongo_read_models(store, utc_now),
                          portal.base_url, gateway_url, worker, env)


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
