"""Optional data file: load at start, save periodically and on shutdown (JSON).

Writes go to a temporary file renamed over the old one, so a crash mid-save never leaves
a half-written file behind.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .apps import app_from_dict
from .store import CompanyStore

if TYPE_CHECKING:
    from .sandbox import Sandbox

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


class DataFileSaver:
    """Owns the periodic save thread of one sandbox."""

    def __init__(self, sandbox: Sandbox, path: str, interval_seconds: float) -> None:
        self.sandbox = sandbox
        self.path = Path(path)
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_fingerprint: tuple[int, ...] | None = None

    def load(self) -> bool:
        """Load the file if it exists; False when there was nothing to load."""
        if not self.path.exists():
            return False
        data = json.loads(self.path.read_text())
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{self.path}: unsupported data file format {data.get('format')}")
        for raw in data.get("apps", []):
            self.sandbox.apps.add(app_from_dict(raw))
        for raw in data.get("companies", []):
            self.sandbox.add_company(CompanyStore.from_snapshot(raw))
        self.sandbox.tokens.restore(data.get("tokens", {}))
        self._last_fingerprint = self._fingerprint()
        return True

    def save(self) -> str:
        """Write everything now; returns the path written."""
        box = self.sandbox
        data = {"format": FORMAT_VERSION,
                "apps": [a.public_dict() for a in box.apps.all()],
                "companies": [s.snapshot() for s in list(box.companies.values())],
                "tokens": box.tokens.snapshot()}
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")))
        os.replace(tmp, self.path)
        self._last_fingerprint = self._fingerprint()
        return str(self.path)

    def start(self) -> None:
        """Save every `interval` seconds when something changed."""
        self._thread = threading.Thread(target=self._run, name="qbo-save", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and save one last time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.save()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._fingerprint() == self._last_fingerprint:
                continue
            try:
                self.save()
            except OSError:
                log.exception("data_file.save_failed", extra={"path": str(self.path)})

    def _fingerprint(self) -> tuple[int, ...]:
        """Changes bump store versions; token changes are caught by the token count."""
        versions = [sum(s.versions.values()) for s in list(self.sandbox.companies.values())]
        return (len(self.sandbox.apps.all()), len(self.sandbox.tokens.snapshot()["tokens"]),
                *versions)
