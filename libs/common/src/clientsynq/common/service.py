"""What every ClientSynq service is built from: its infrastructure handles and its Flask shell.

Services compose these in their own `bootstrap.build()` and `app.create_app()`; nothing here
connects at import time.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientsynq.common.config import CommonSettings
from clientsynq.common.kafka import KafkaConnection
from clientsynq.common.mongo import connect_mongo
from clientsynq.common.observability import install_observability, kafka_check, mongo_check
from clientsynq.common.problems import register_error_handlers
from flask import Flask
from pymongo import MongoClient
from pymongo.database import Database

MAX_REQUEST_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Platform:
    """Kafka and MongoDB as one service sees them (its own database only)."""

    kafka: KafkaConnection
    mongo: MongoClient[dict[str, Any]]
    db: Database[dict[str, Any]]

    def readiness_checks(self) -> dict[str, Any]:
        return {"kafka": kafka_check(self.kafka), "mongodb": mongo_check(self.mongo)}


def connect_platform(settings: CommonSettings) -> Platform:
    """Lazy clients: pymongo and kafka-python connect on first use, so this never blocks."""
    client = connect_mongo(settings.mongo.uri, app_name=f"clientsynq-{settings.service}")
    kafka = KafkaConnection(settings.kafka.bootstrap_servers, settings.kafka.topic_prefix,
                            client_id=f"clientsynq-{settings.service}",
                            security=tuple(settings.kafka.security.client_options().items()),
                            session_timeout_ms=settings.kafka.session_timeout_ms)
    return Platform(kafka=kafka, mongo=client, db=client[settings.mongo.database])


def create_service_app(service: str, deps: Any, checks: Mapping[str, Any]) -> Flask:
    """The shell every service's `create_app` starts from: errors as problem+json, health,
    metrics, request ids, a request size limit, and the deps where views can find them."""
    # An explicit instance path: Flask's own lookup raises StopIteration for a namespace
    # package installed editable (setuptools' finder paths); no service uses the folder.
    instance = os.path.join(tempfile.gettempdir(), f"clientsynq-{service}-instance")
    app = Flask(f"clientsynq.{service}", instance_path=instance)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["clientsynq"] = deps
    register_error_handlers(app)
    install_observability(app, service=service, checks=checks)
    return app
