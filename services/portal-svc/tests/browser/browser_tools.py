"""Install what the browser tests drive, once per machine: `python browser_tools.py`
(`make setup` runs it). Debian's Chromium by apt (never a Playwright browser download), and
axe-core, pinned, from npm into the ignored `.cache/npm`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_VERSION = "4.11.0"
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


class MissingTool(Exception):
    """What is missing and the command that installs it."""


def ensure_chromium() -> Path:
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if not CHROMIUM.exists():
        raise MissingTool(f"no Chromium at {CHROMIUM}: run `sudo apt-get install -y chromium` "
                          "(or set CHROMIUM_PATH)")
    return CHROMIUM


def ensure_axe() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise MissingTool("npm is needed once to fetch axe-core: install Node.js")
        subprocess.run([npm, "install", "--prefix", str(AXE.parents[2]), "--no-audit",
                        "--no-fund", "--silent", f"axe-core@{AXE_VERSION}"], check=True)
    return AXE


def main() -> int:
    try:
        print(f"[setup] browser tests: Chromium {ensure_chromium()}, axe-core {ensure_axe()}")
    except MissingTool as missing:
        print(f"[setup] browser tests cannot run yet: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
