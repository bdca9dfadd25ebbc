"""`python bench/_profile_report.py <dir>`: what `scale_model.py` with SCALE_PROFILE=<dir>
counted, per finished run (MongoDB commands, QuickBooks requests) and where the run threads
spent their time (py-spy, waiting included).

Per-run figures divide the window's totals by the runs finished in it, so the scheduler's,
consumer's and relay's share of each scheduled run is shown beside the run's own.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def counts(folder: Path) -> None:
    mongo: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    qbo: Counter[str] = Counter()
    runs: list[dict[str, Any]] = []
    seconds = 0.0
    for path in sorted(folder.glob("counts-*.json")):
        found = json.loads(path.read_text())
        mongo.update(found["mongo"])
        calls.update(found["calls"])
        qbo.update(found["qbo"])
        runs += found["runs"]
        seconds = max(seconds, found["seconds"])
    done = [r for r in runs if r["outcome"] not in ("gone",)]
    n = max(1, len(done))
    reasons = Counter(f"{r['reason']}/{r['outcome']}" for r in runs)
    print(f"window {seconds:.0f} s: {len(done)} runs finished ({dict(reasons)}); "
          f"run time p50 {_median([r['seconds'] for r in done]):.2f} s")
    groups: Counter[str] = Counter()
    for key, value in mongo.items():
        groups[key.split("|")[0]] += value
    print(f"MongoDB commands per finished run: {sum(mongo.values()) / n:.1f} in all")
    for group, value in groups.most_common():
        print(f"  {group:<14} {value / n:6.1f}")
    print("  the run's own, by command and collection:")
    for key, value in mongo.most_common():
        group, command, collection = key.split("|")
        if group in ("run", "run lease"):
            print(f"    {value / n:6.2f}  {command} {collection}  ({group})")
    print(f"QuickBooks requests per finished run: {sum(qbo.values()) / n:.2f} {dict(qbo)}")
    for name, value in calls.items():
        print(f"{name} per finished run: {value / n:.2f}")


def profile(folder: Path, top: int = 25) -> None:
    """Where the run threads' time goes: each sample of a thread at work (not waiting for
    another thread) under the innermost function of ours, split by what it was doing
    (waiting for MongoDB, for HTTP, or running Python), so a round trip shows under the
    code that waits for it."""
    where: Counter[str] = Counter()
    total = 0
    for path in sorted(folder.glob("pyspy-*.txt")):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not count.isdigit() or "sync/engine/" not in stack or _coordinating(frames):
                continue  # other threads; threads sleeping or waiting for each other
            total += int(count)
            ours = next((_short(f) for f in reversed(frames) if _short(f)), "?")
            where[f"{ours} — {_doing(frames)}"] += int(count)
    if not total:
        print("no py-spy samples of a run")
        return
    print(f"py-spy: {total} samples of run threads at work (polling for runs, the runs, "
          "their stream and page threads), by the innermost function of ours:")
    for frame, weight in where.most_common(top):
        print(f"  {100 * weight / total:5.1f} %  {frame}")


def _coordinating(frames: list[str]) -> bool:
    leaf = frames[-1]
    return ("threading.py" in leaf or "concurrent/futures" in leaf or "queue.py" in leaf
            ) and not any("Lease.renew" in f for f in frames)


def _doing(frames: list[str]) -> str:
    text = ";".join(frames[-12:])
    if "pymongo" in text:
        return "MongoDB"
    if "urllib3" in text or "requests/" in text:
        return "HTTP"
    if "kafka/" in text:
        return "Kafka"
    return "Python"


def _short(frame: str) -> str:
    """Our own functions by name and file; "" for anything else."""
    name, _, where = frame.partition(" (")
    if where.startswith(("sync/", "common/")) or "clientsynq/" in where:
        return f"{name} ({where.split('clientsynq/')[-1].rsplit(':', 1)[0]})"
    return ""


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    counts(folder)
    profile(folder)
