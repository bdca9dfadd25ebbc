"""In-memory stand-ins for sync-svc's own ports in unit tests: a clock that moves only
when told, and an emitter that records what would have gone to Kafka."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


class FakeClock:
    """Both faces of time: `monotonic()` for intervals and `now()` for timestamps."""

    def __init__(self, start: datetime = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)) -> None:
        self._start = start
        self.seconds = 0.0

    def advance(self, seconds: float) -> None:
        self.seconds += seconds

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.seconds)


class RecordingEmitter:
    """What `EventProducer.publish` would have sent, validated the same way."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def __call__(self, envelope: dict[str, Any]) -> None:
        from clientsynq.common.events import encode_event

        encode_event(envelope)
        self.sent.append(envelope)


class FakeRealm:
    """The `Realm` port (engine.ports) for names: Term and PaymentMethod rows, QuickBooks'
    `time` on every answer (moved by the clock), and `cdc` answering what changed at or
    after `changed_since`. Records each call, as the sandbox's request log would."""

    def __init__(self, clock: FakeClock, realm_id: str = "9130", tenant_id: str = "t-1"
                 ) -> None:
        self.realm_id, self.tenant_id, self._clock = realm_id, tenant_id, clock
        self.rows: dict[str, dict[str, dict[str, Any]]] = {"Term": {}, "PaymentMethod": {}}
        self.changed_at: dict[tuple[str, str], datetime] = {}
        self.calls: list[str] = []
        self.refuse: set[str] = set()

    def put(self, kind: str, row_id: str, name: str) -> None:
        self.rows[kind][row_id] = {"Id": row_id, "Name": name, "Active": True}
        self.changed_at[(kind, row_id)] = self._clock.now()

    def query(self, statement: str) -> dict[str, Any]:
        kind = statement.split(" FROM ")[1].split()[0]
        self.calls.append(f"query {kind}")
        if kind in self.refuse:
            from clientsynq.sync.domain.errors import QboRefused

            raise QboRefused(f"{kind} is not available", "5010", 400)
        return {"QueryResponse": {kind: list(self.rows[kind].values())},
                "time": self._clock.now().isoformat()}

    def query_raw(self, statement: str) -> bytes:
        raise NotImplementedError

    def query_ids(self, entity: str, ids: list[str]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def cdc(self, entities: list[str], changed_since: str) -> dict[str, Any]:
        self.calls.append(f"cdc {','.join(entities)}")
        since = datetime.fromisoformat(changed_since)
        groups = [{kind: [row for row_id, row in self.rows.get(kind, {}).items()
                          if self.changed_at[(kind, row_id)] >= since]} for kind in entities]
        return {"CDCResponse": [{"QueryResponse": groups}],
                "time": self._clock.now().isoformat()}


class FakeRunQueue:
    """The work-queue face of the `Runs` port (`candidates`), counting its polls."""

    def __init__(self, runs: list[dict[str, Any]]) -> None:
        self.runs = runs
        self.polls = 0

    def candidates(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        self.polls += 1
        return list(self.runs[:limit])

    def get(self, tenant_id: str, run_id: str) -> dict[str, Any] | None:
        """A run as stored now (every fake run is still pending unless it says otherwise)."""
        return next(({"status": "pending", **run} for run in self.runs
                     if run["_id"] == run_id and run["tenant_id"] == tenant_id), None)


class FakeRunner:
    """`SyncRunner.try_run`: the realms whose lease is taken elsewhere answer Held (for
    `held_seconds` more)."""

    def __init__(self, leased_elsewhere: set[str], held_seconds: float = 30.0) -> None:
        self.leased_elsewhere = leased_elsewhere
        self.held_seconds = held_seconds
        self.tried: list[str] = []

    def try_run(self, run: dict[str, Any]) -> str | Any:
        from clientsynq.sync.engine.runner import Held

        self.tried.append(run["_id"])
        return (Held(self.held_seconds) if run["tenant_id"] in self.leased_elsewhere
                else "completed")

    def fail_unexpected(self, run: dict[str, Any], err: Exception) -> str:
        return "failed"
