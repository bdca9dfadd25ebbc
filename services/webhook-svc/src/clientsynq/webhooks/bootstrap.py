"""The composition root of webhook-svc: the only function that knows concrete classes."""
from __future__ import annotations

from dataclasses import dataclass

from clientsynq.common.service import Platform, connect_platform
from clientsynq.webhooks.config import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform


def build(settings: Settings) -> Deps:
    return Deps(settings=settings, platform=connect_platform(settings.common))
