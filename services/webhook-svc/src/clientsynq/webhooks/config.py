"""Settings of webhook-svc: the only place its environment variables are read."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from clientsynq.common.config import CommonSettings, EnvReader


@dataclass(frozen=True)
class Settings:
    common: CommonSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on first use."""
        reader = EnvReader(env, prefix="WEBHOOK_")
        common = CommonSettings.from_reader(reader, "webhook", default_database="webhooks")
        settings = cls(common=common)
        reader.raise_if_invalid()
        return settings
