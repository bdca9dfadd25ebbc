"""`make bench`: every benchmark in turn, then one table of their headline figures.

Each benchmark prints its own detail and records its headline figures (measured beside a
ceiling taken in the same run) through `bench/_results.py`; this runner gathers the figures
of this run into one table and `bench/results/latest.json`. A benchmark that fails is shown
as failed in the table rather than hidden.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results"
BENCHMARKS = ["kafka_roundtrip.py", "initial_sync.py", "webhooks.py", "portal_api.py",
              "stack_memory.py", "scale_model.py"]


def run_one(script: Path, started_at: float) -> dict[str, Any]:
    """Run one benchmark; its figures count only if written during this run."""
    print(f"=== {script.name}", flush=True)
    began = time.monotonic()
    code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent,
                           env={**os.environ, "BENCH_RESULTS_DIR": str(RESULTS)})
    took = time.monotonic() - began
    print(f"=== {script.name}: exit {code} after {took:.0f}s\n", flush=True)
    result_file = RESULTS / f"{script.stem}.json"
    fresh = result_file.exists() and result_file.stat().st_mtime >= started_at
    figures = json.loads(result_file.read_text())["figures"] if fresh else []
    return {"benchmark": script.stem, "exit_code": code, "seconds": round(took, 1),
            "figures": figures}


def table(results: list[dict[str, Any]]) -> str:
    """Plain text, so it reads the same on a terminal and in a CI log."""
    rows = [("benchmark", "figure", "measured", "compared with", "aim")]
    for result in results:
        if not result["figures"]:
            rows.append((result["benchmark"], f"FAILED (exit {result['exit_code']})", "", "", ""))
        for fig in result["figures"]:
            aim = fig["aim"] + ("" if fig["met"] is None else (" met" if fig["met"]
                                                                 else " NOT met"))
            rows.append((result["benchmark"], fig["name"], f"{fig['value']:,} {fig['unit']}",
                         fig["ceiling"], aim))
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    selected = argv or BENCHMARKS
    started_at = time.time()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = [run_one(HERE / name, started_at) for name in selected if (HERE / name).exists()]
    print(table(results), flush=True)
    latest = {"measured_at": datetime.now(UTC).isoformat(), "results": results}
    (RESULTS / "latest.json").write_text(json.dumps(latest, indent=2) + "\n")
    print(f"\nwritten: {RESULTS / 'latest.json'}")
    return 1 if any(result["exit_code"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
