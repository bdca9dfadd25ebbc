"""Typed settings from environment variables, validated once at start-up.

A service that starts with a missing or malformed variable fails later, on the first sync or
the first request, far from the cause. ``EnvReader`` records every problem instead of
raising on the first, so the operator fixes the whole deployment config in one go.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO, TypeVar
from urllib.parse import urlsplit

from clientsynq.common.kafka_security import KafkaSecurity

T = TypeVar("T")

EXIT_CONFIG_ERROR = 2  # sysexits-style "usage" error: distinct from a crash (1)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_DURATION_RE = re.compile(r"(?P<number>\d+(\.\d+)?)\s*(?P<unit>ms|s|m|h|d)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_MAX_SHOWN = 60


class ConfigError(Exception):
    """Every configuration problem at once; values of secret variables are never included."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"Invalid configuration ({len(self.problems)} problem(s)):\n{lines}")


class EnvReader:
    """Reads ``prefix + name`` variables, recording problems rather than raising."""

    def __init__(
        self, env: Mapping[str, str], prefix: str = "", _problems: list[str] | None = None
    ) -> None:
        self._env = env
        self.prefix = prefix
        self._problems: list[str] = [] if _problems is None else _problems

    def with_prefix(self, prefix: str) -> EnvReader:
        """A reader sharing this one's problem list: shared settings use unprefixed names."""
        return EnvReader(self._env, prefix, self._problems)

    def full_name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(self._problems)

    def add_problem(self, name: str, message: str) -> None:
        """For checks only the caller can make (e.g. two variables that must agree)."""
        self._problems.append(f"{self.full_name(name)}: {message}")

    def raise_if_invalid(self) -> None:
        if self._problems:
            raise ConfigError(self._problems)

    def _raw(self, name: str) -> str | None:
        """Unset and blank are the same: an empty ``FOO=`` in a manifest is a mistake."""
        value = self._env.get(self.full_name(name))
        return None if value is None or not value.strip() else value.strip()

    def _invalid(self, name: str, value: str, why: str, secret: bool = False) -> None:
        shown = "(value hidden)" if secret else repr(_shorten(value))
        self.add_problem(name, f"{why}; got {shown}")

    def required(self, name: str, secret: bool = False) -> str:
        """``secret`` documents intent; a required value is never echoed in any case."""
        value = self._raw(name)
        if value is None:
            self.add_problem(name, "required but not set")
            return ""
        return value

    def optional(self, name: str, default: str | None = None) -> str | None:
        value = self._raw(name)
        return default if value is None else value

    def _get(self, name: str, default: object) -> str | None:
        """The raw value, or None when the default applies (a missing required is recorded)."""
        value = self._raw(name)
        if value is None and default is None:
            self.add_problem(name, "required but not set")
        return value

    def integer(
        self, name: str, default: int | None = None, min: int | None = None,
        max: int | None = None,
    ) -> int:
        value = self._get(name, default)
        if value is None:
            return default if default is not None else 0
        try:
            number = int(value)
        except ValueError:
            self._invalid(name, value, "must be an integer")
            return default if default is not None else 0
        self._check_range(name, number, min, max)
        return number

    def _check_range(
        self, name: str, number: float, low: float | None, high: float | None
    ) -> None:
        if low is not None and number < low:
            self.add_problem(name, f"must be at least {low:g}; got {number:g}")
        if high is not None and number > high:
            self.add_problem(name, f"must be at most {high:g}; got {number:g}")

    def boolean(self, name: str, default: bool | None = None) -> bool:
        value = self._get(name, default)
        if value is None:
            return bool(default)
        if value.lower() not in _TRUE | _FALSE:
            self._invalid(name, value, "must be one of true/false, 1/0, yes/no, on/off")
            return bool(default)
        return value.lower() in _TRUE

    def url(self, name: str, default: str | None = None, secret: bool = False) -> str:
        """An http(s) URL with a host; anything else is a typo that would fail at first use."""
        value = self._get(name, default)
        if value is None:
            return default or ""
        try:
            parts = urlsplit(value)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            secret = secret or bool(parts.password)  # never echo embedded credentials
        except ValueError:  # e.g. an unclosed IPv6 bracket
            valid = False
        if not valid:
            self._invalid(name, value, "must be an http:// or https:// URL with a host", secret)
        return value.rstrip("/")

    def choice(
        self, name: str, choices: Sequence[str], default: str | None = None,
        ignore_case: bool = False,
    ) -> str:
        """One of ``choices``; with ``ignore_case`` the canonical spelling is returned."""
        value = self._get(name, default)
        if value is None:
            return default or ""
        for candidate in choices:
            if value == candidate or (ignore_case and value.lower() == candidate.lower()):
                return candidate
        self._invalid(name, value, f"must be one of {', '.join(choices)}")
        return value

    def duration_seconds(
        self, name: str, default: float | None = None, min: float | None = None,
        max: float | None = None,
    ) -> float:
        """``30``, ``30s``, ``250ms``, ``5m``, ``1h`` or ``2d``; a bare number means seconds."""
        value = self._get(name, default)
        if value is None:
            return default if default is not None else 0.0
        match = _DURATION_RE.fullmatch(value.lower())
        if match is None:
            self._invalid(name, value, "must be a duration such as 30s, 250ms, 5m, 1h or 2d")
            return default if default is not None else 0.0
        seconds = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
        self._check_range(name, seconds, min, max)
        return seconds

    def csv_list(
        self, name: str, default: Sequence[str] | None = None, secret: bool = False
    ) -> tuple[str, ...]:
        """Comma-separated values, blanks dropped; a tuple so settings stay immutable."""
        value = self._get(name, default)
        if value is None:
            return tuple(default or ())
        items = tuple(item.strip() for item in value.split(",") if item.strip())
        if not items:
            self._invalid(name, value, "must list at least one value", secret)
        return items


def load_or_exit(factory: Callable[[], T], stream: TextIO | None = None) -> T:
    """For entrypoints: one clear message on stderr and exit code 2, not a traceback."""
    try:
        return factory()
    except ConfigError as err:
        print(str(err), file=stream or sys.stderr, flush=True)
        raise SystemExit(EXIT_CONFIG_ERROR) from None


def _shorten(value: str) -> str:
    return value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "…"


_HOST_PORT_RE = re.compile(r"[A-Za-z0-9.\-\[\]:]+:\d{1,5}")
_TOPIC_PREFIX_RE = re.compile(r"[A-Za-z0-9._-]*")
_MONGO_DB_RE = re.compile(r"[A-Za-z0-9_-]{1,63}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class KafkaSettings:
    """Unprefixed names, so one deployment ConfigMap serves every service."""

    bootstrap_servers: str
    topic_prefix: str = ""
    security: KafkaSecurity = field(default_factory=KafkaSecurity)
    # How long a consumer that died without leaving its group keeps its partitions (the
    # broker's group.min/max.session.timeout.ms bound it; tests use 10 s).
    session_timeout_ms: int = 45_000

    @classmethod
    def from_reader(cls, reader: EnvReader) -> KafkaSettings:
        env = reader.with_prefix("")
        servers = env.csv_list("KAFKA_BOOTSTRAP_SERVERS")
        bad = [server for server in servers if not _HOST_PORT_RE.fullmatch(server)]
        if bad:
            env.add_problem("KAFKA_BOOTSTRAP_SERVERS", f"expected host:port items; got {bad!r}")
        prefix = env.optional("KAFKA_TOPIC_PREFIX", "") or ""
        if not _TOPIC_PREFIX_RE.fullmatch(prefix):
            env.add_problem("KAFKA_TOPIC_PREFIX", "may contain only letters, digits, '.', '_', '-'")
        session = env.integer("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", 45_000, min=6_000,
                              max=300_000)
        return cls(bootstrap_servers=",".join(servers), topic_prefix=prefix,
                   security=KafkaSecurity.from_reader(env), session_timeout_ms=session)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ,
                 default_servers: str | None = None) -> KafkaSettings:
        """For entry points that need Kafka alone (the topic bootstrap job); raises
        ConfigError naming every problem. `default_servers` stands in when the variable
        is unset (`make run`'s local broker)."""
        if default_servers is not None:
            env = {"KAFKA_BOOTSTRAP_SERVERS": default_servers, **env}
        reader = EnvReader(env)
        settings = cls.from_reader(reader)
        reader.raise_if_invalid()
        return settings

    @property
    def servers(self) -> list[str]:
        return self.bootstrap_servers.split(",") if self.bootstrap_servers else []


@dataclass(frozen=True)
class MongoSettings:
    """The URI usually holds a password: it is kept out of ``repr`` and error messages."""

    uri: str = field(repr=False)
    database: str

    @classmethod
    def from_reader(
        cls, reader: EnvReader, default_database: str | None = None
    ) -> MongoSettings:
        env = reader.with_prefix("")
        uri = env.required("MONGODB_URI", secret=True)
        if uri and not uri.startswith(("mongodb://", "mongodb+srv://")):
            env.add_problem("MONGODB_URI", "must start with mongodb:// or mongodb+srv://")
        database = env.optional("MONGODB_DATABASE", default_database) or ""
        if not database:
            env.add_problem("MONGODB_DATABASE", "required but not set")
        elif not _MONGO_DB_RE.fullmatch(database):
            env.add_problem("MONGODB_DATABASE", "may contain only letters, digits, '_', '-'")
        return cls(uri=uri, database=database)


@dataclass(frozen=True)
class CommonSettings:
    """What every service reads the same way; compose it into a service's own Settings."""

    service: str
    log_level: str
    kafka: KafkaSettings
    mongo: MongoSettings

    @classmethod
    def from_reader(
        cls, reader: EnvReader, service: str, default_database: str | None = None
    ) -> CommonSettings:
        env = reader.with_prefix("")
        return cls(
            service=service,
            log_level=env.choice("LOG_LEVEL", LOG_LEVELS, "INFO", ignore_case=True),
            kafka=KafkaSettings.from_reader(reader),
            mongo=MongoSettings.from_reader(reader, default_database),
        )
