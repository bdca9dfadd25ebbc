"""Where every benchmark leaves its figures, so `make bench` can print one table.

Each benchmark still prints its own detailed lines; `record` adds the headline figures (the
measured value beside the ceiling it is compared to, measured in the same run) to a JSON file
per benchmark under `bench/results/`. `bench/run_all.py` gathers them into one table and
`bench/results/latest.json`. A figure is recorded as measured, whether or not it meets its aim.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).parent / "results"))


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank; 0.0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass(frozen=True)
class Figure:
    """One headline number: what was measured, its unit, and what it is compared against."""

    name: str
    value: float
    unit: str
    ceiling: str = ""
    aim: str = ""
    met: bool | None = None


def record(benchmark: str, figures: list[Figure]) -> Path:
    """Write this run's figures for one benchmark (overwrites the previous run's file)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{benchmark}.json"
    body = {"benchmark": benchmark, "measured_at": datetime.now(UTC).isoformat(),
            "figures": [asdict(figure) for figure in figures]}
    path.write_text(json.dumps(body, indent=2) + "\n")
    return path


def is_terminal() -> bool:
    return sys.stdout.isatty()
