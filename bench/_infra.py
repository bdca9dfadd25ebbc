"""Benchmarks run on the same infrastructure the tests pick (see tests/support/infra_choice)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT / "deploy" / "local", ROOT / "tests" / "support"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from infra_choice import Infra, choose_infra  # noqa: E402

__all__ = ["Infra", "choose_infra", "progress"]


_PRINTED_DECILE: dict[str, int] = {}


def progress(label: str, done: int, total: int) -> None:
    """One line that rewrites itself on a terminal; plain lines (each tenth) in a log file.

    Long runs never look hung, and a CI log is not filled with carriage returns.
    """
    width = 30
    filled = int(width * done / max(total, 1))
    bar = f"  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    if sys.stdout.isatty():
        print(f"\r{bar}", end="\n" if done >= total else "", flush=True)
        return
    decile = min(10, 10 * done // max(total, 1))
    if _PRINTED_DECILE.get(label) != decile:
        _PRINTED_DECILE[label] = decile
        print(bar, flush=True)
