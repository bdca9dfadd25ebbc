"""Progress lines for the slow steps (first-time downloads and builds take minutes)."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print `label ...` then `done in N.Ns` (or `FAILED`), so a long setup never looks hung."""
    started = time.monotonic()
    print(f"[infra] {label} ...", file=sys.stderr, flush=True)
    try:
        yield
    except BaseException:
        print(f"[infra] {label}: FAILED", file=sys.stderr, flush=True)
        raise
    elapsed = time.monotonic() - started
    print(f"[infra] {label}: done in {elapsed:.1f}s", file=sys.stderr, flush=True)


def note(message: str) -> None:
    print(f"[infra] {message}", file=sys.stderr, flush=True)
