"""`make bench`: every benchmark in turn; each prints its own figures and its ceiling."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = ["kafka_roundtrip.py", "initial_sync.py"]


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"=== {name}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {name}: exit {code} after {time.monotonic() - started:.0f}s\n", flush=True)
        failures += code != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
