"""Peak resident memory of every process of the local stack, and their sum.

Starts the stack exactly as `make run` does (Kafka, FerretDB, the sandbox, every web process,
every worker, the gateway, the mail catcher, then the demo business connecting and syncing),
samples each process's peak resident set (Linux `VmHWM`) while the first sync runs and the
stack settles, then stops what it started. Aim: the whole stack under 2 GiB. The sum of
per-process peaks is an upper bound of the stack's peak (peaks need not coincide).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from _results import Figure, record

ROOT = Path(__file__).resolve().parents[1]
INFRA_PIDS = [ROOT / ".local" / "infra" / name / "pid" for name in ("kafka", "mongodb")]
READY_MARKER = "Demo business"
SETTLE_SECONDS = float(os.environ.get("BENCH_STACK_SETTLE_SECONDS", "30"))
AIM_MIB = 2048


def status_kib(pid: int, field: str) -> int:
    """One `VmHWM`/`VmRSS` figure of /proc/<pid>/status, 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def label(pid: int) -> str:
    """A readable name: the module, app or program the process runs."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    words = [a.decode(errors="replace") for a in argv if a]
    for i, word in enumerate(words):
        if word == "-m" and i + 1 < len(words):
            return words[i + 1] + (" " + words[i + 2] if words[i + 1] == "localinfra.gateway"
                                   and i + 2 < len(words) else "")
        if word.startswith("'clientsynq.") or word.startswith("clientsynq."):
            return "gunicorn " + word.strip("'").split(":")[0]
        if "kafka.Kafka" in word:
            return "kafka (JVM)"
        if "ferretdb" in word:
            return "ferretdb"
        if word.startswith("nginx"):
            return "nginx " + " ".join(words[i + 1:i + 3])
    return " ".join(words[:3])[:60]


def parent_of(pid: int) -> int:
    """The parent pid from /proc/<pid>/stat (after the command name, which may hold spaces)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def stack_pids(root: int) -> list[int]:
    """Every descendant of the `make run` process (honcho gives each child a session of
    its own, so the tree is walked), plus Kafka and FerretDB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            children.setdefault(parent_of(int(entry.name)), []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    for pid_file in INFRA_PIDS:
        if pid_file.exists():
            pids.append(int(pid_file.read_text().strip() or 0))
    return [pid for pid in pids if pid]


def wait_ready(stack: subprocess.Popen[str], timeout: float) -> bool:
    """Echo the stack's output (progress lines) until the demo business is printed."""
    found = threading.Event()

    def pump() -> None:
        assert stack.stdout is not None
        for line in stack.stdout:
            if READY_MARKER in line:
                found.set()
            sys.stdout.write("  | " + line)
    threading.Thread(target=pump, daemon=True).start()
    return found.wait(timeout)


def sample(root: int, seconds: float) -> dict[int, tuple[str, int]]:
    peaks: dict[int, tuple[str, int]] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in stack_pids(root):
            peak = status_kib(pid, "VmHWM")
            if peak:
                peaks[pid] = (label(pid), max(peak, peaks.get(pid, ("", 0))[1]))
        print(f"  sampling: {len(peaks)} processes, {deadline - time.monotonic():4.0f} s left",
              flush=True)
        time.sleep(2)  # sampling interval of a measurement, not a test wait
    return peaks


def main() -> int:
    print("stack_memory: starting the stack as `make run` does", flush=True)
    stack = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "local" / "run_all.py")],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    try:
        if not wait_ready(stack, timeout=600):
            print("stack_memory: the demo business never came up; no figure", flush=True)
            return 1
        peaks = sample(stack.pid, SETTLE_SECONDS)
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)
    rows = sorted(peaks.values(), key=lambda row: -row[1])
    for name, kib in rows:
        print(f"  {kib / 1024:8.0f} MiB  {name}")
    total_mib = sum(kib for _, kib in rows) / 1024
    print(f"  {total_mib:8.0f} MiB  sum of peaks ({len(rows)} processes; aim < {AIM_MIB} MiB)")
    record("stack_memory", [Figure("whole local stack, sum of per-process peak RSS",
                                   round(total_mib), "MiB", aim=f"< {AIM_MIB} MiB",
                                   met=total_mib < AIM_MIB)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
