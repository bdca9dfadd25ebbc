"""Which environment variables a container sets that its service never reads.

A variable in a manifest that no Settings.from_env reads is drift: a renamed setting, a
typo, or a setting removed from config.py while the deployment still sets it (so the
operator believes it applies). Each service's Settings.from_env runs on the manifest's own
environment through a mapping that records every name it asks for.
"""
from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from clientsynq.common.config import ConfigError, EnvReader, KafkaSettings

REPO = Path(__file__).resolve().parents[2]
Reader = Callable[[Mapping[str, str]], object]


def _settings(path: str) -> Reader:
    def read(env: Mapping[str, str]) -> object:
        module, _, name = path.partition(":")
        return getattr(importlib.import_module(module), name).from_env(env)
    return read


def _kafka_only(env: Mapping[str, str]) -> object:
    return KafkaSettings.from_reader(EnvReader(env))


READERS: dict[str, list[Reader]] = {
    "auth-svc": [_settings("clientsynq.auth.config:Settings")],
    "sync-svc": [_settings("clientsynq.sync.config:Settings")],
    "webhook-svc": [_settings("clientsynq.webhooks.config:Settings")],
    "portal-svc": [_settings("clientsynq.portal.config:Settings")],
    "topics": [_kafka_only],  # the ops image's topic bootstrap and check
}
READERS["indexes"] = [r for name in ("auth-svc", "sync-svc", "webhook-svc", "portal-svc")
                      for r in READERS[name]]
# Read by the image itself (services/gunicorn.conf.py, services/healthcheck.py).
PROCESS_ENV = frozenset({"PORT", "WEB_CONCURRENCY", "APP_MODULE", "HEALTHCHECK_URL"})
# Read outside config.py; the file must still name it, so a rename is caught all the same.
READ_ELSEWHERE = {"AUTH_WORKER_METRICS_PORT": "services/auth-svc/src/clientsynq/auth/worker.py"}


class RecordingEnv(dict[str, str]):
    """A plain dict that remembers every key looked up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def names_read(readers: list[Reader], env: Mapping[str, str]) -> set[str]:
    read: set[str] = set()
    for reader in readers:
        recording = RecordingEnv(env)
        # Placeholder secrets may be invalid; the names asked for are what counts.
        with contextlib.suppress(ConfigError):
            reader(recording)
        read |= recording.read
    return read


def unread(component: str, env: Mapping[str, str]) -> list[str]:
    elsewhere = {name for name, path in READ_ELSEWHERE.items()
                 if name in (REPO / path).read_text()}
    ignored = PROCESS_ENV | elsewhere
    return sorted(set(env) - names_read(READERS[component], env) - ignored)


def load_problems(component: str, env: Mapping[str, str]) -> list[str]:
    """What each Settings.from_env of the component refuses in this environment."""
    problems: list[str] = []
    for reader in READERS[component]:
        try:
            reader(env)
        except ConfigError as err:
            problems += err.problems
    return problems
