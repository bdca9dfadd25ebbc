"""`python /app/ensure_indexes.py auth sync ...`: create each named service's MongoDB indexes.

Run by the index Job (Kubernetes) and the `indexes` container (docker-compose) before the
services roll out, so a new index is built once, ahead of the code that needs it, rather
than by every replica at start. Index creation is idempotent; each service uses its own
database and its own Settings (so MONGODB_DATABASE and the rest are read as the service
reads them). Imports are lazy: the image holds only its own service, and a service not in
the image is skipped with a note. tests/deploy checks every name below still exists.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

# service → (settings class, build function, index function taking what build returns);
# auth's index function takes the database, not its Deps (whose build reads signing keys).
SERVICES: dict[str, tuple[str, str, str]] = {
    "auth": ("clientsynq.auth.config:Settings", "ensure_indexes:platform_db",
             "clientsynq.auth.adapters.indexes:ensure_auth_indexes"),
    "sync": ("clientsynq.sync.config:Settings", "clientsynq.sync.bootstrap:build",
             "clientsynq.sync.bootstrap:ensure_sync_indexes"),
    "webhook": ("clientsynq.webhooks.config:Settings", "clientsynq.webhooks.bootstrap:build",
                "clientsynq.webhooks.bootstrap:ensure_webhook_indexes"),
}


def resolve(path: str) -> Any:
    """A Settings class or a function, by `module:name`."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def platform_db(settings: Any) -> Any:
    from clientsynq.common.service import connect_platform

    return connect_platform(settings.common).db


def ensure(service: str) -> bool:
    settings_path, build_path, index_path = SERVICES[service]
    try:
        settings = resolve(settings_path).from_env()
    except ModuleNotFoundError:
        print(f"[indexes] {service}: not in this image, skipped", file=sys.stderr)
        return False
    build = platform_db if build_path == "ensure_indexes:platform_db" else resolve(build_path)
    resolve(index_path)(build(settings))
    print(f"[indexes] {service}: indexes present", file=sys.stderr)
    return True


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in SERVICES]
    if unknown or not argv:
        print(f"usage: ensure_indexes.py {' '.join(SERVICES)}; unknown: {unknown}",
              file=sys.stderr)
        return 2
    for service in argv:
        ensure(service)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
