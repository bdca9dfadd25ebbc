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


def progress(label: str, done: int, total: int) -> None:
    """One line that rewrites itself: long runs never look hung."""
    width = 30
    filled = int(width * done / max(total, 1))
    end = "\n" if done >= total else ""
    print(f"\r  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
          flush=True)
