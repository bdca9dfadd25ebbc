"""Settings of portal-svc: the only place its environment variables are read."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from clientsynq.common.config import CommonSettings, EnvReader


@dataclass(frozen=True)
class AuthSettings:
    """Where auth-svc answers (JWKS, and server-side calls made with a user's own token) and
    what its JWTs must say; issuer and audience are shared names, the same in every service."""

    url: str
    jwt_issuer: str
    jwt_audience: str

    @property
    def jwks_url(self) -> str:
        return f"{self.url.rstrip('/')}/.well-known/jwks.json"

    @classmethod
    def from_reader(cls, reader: EnvReader) -> AuthSettings:
        shared = reader.with_prefix("")
        return cls(url=reader.url("AUTH_URL", "http://127.0.0.1:8081"),
                   jwt_issuer=shared.optional("JWT_ISSUER", "clientsynq-auth") or "",
                   jwt_audience=shared.optional("JWT_AUDIENCE", "clientsynq") or "")


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    auth: AuthSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Fail at start-up, with every problem listed, rather than on first use."""
        reader = EnvReader(env, prefix="PORTAL_")
        common = CommonSettings.from_reader(reader, "portal", default_database="portal")
        settings = cls(common=common, auth=AuthSettings.from_reader(reader))
        reader.raise_if_invalid()
        return settings
