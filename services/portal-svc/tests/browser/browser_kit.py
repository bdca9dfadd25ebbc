"""Debian's Chromium driven by Playwright (Python), axe-core checks and screenshots.

Nothing is downloaded by Playwright (never `playwright install`): the browser is
`/usr/bin/chromium` (installed with apt by `ensure_chromium` when missing and allowed), and
axe-core comes from npm into the ignored `.cache/npm` (pinned version).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[4]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_VERSION = "4.11.0"
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "build" / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")


def ensure_chromium() -> Path:
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` "
                    "(or set CHROMIUM_PATH)")
    return CHROMIUM


def ensure_axe() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed once to fetch axe-core")
        subprocess.run([npm, "install", "--prefix", str(AXE.parents[2]), "--no-audit",
                        "--no-fund", "--silent", f"axe-core@{AXE_VERSION}"], check=True)
    return AXE


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(ensure_chromium()),
                                      args=CHROMIUM_ARGS, headless=True)


class PageChecker:
    """`check(page, name)`: axe finds no serious/critical violation, and the page is
    photographed at phone and desktop widths into the artifacts directory."""

    def __init__(self, artifacts: Path) -> None:
        self.shots = artifacts / "screenshots"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.axe = ensure_axe().read_text()
        self.violations: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state("domcontentloaded")
        original = page.viewport_size
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(self.shots / f"{name}-{label}.png"), full_page=True)
            found = self._axe(page)
            if found:
                self.violations[f"{name}@{label}"] = found
        if original:
            page.set_viewport_size(original)
        assert not self.violations.get(f"{name}@phone") and \
            not self.violations.get(f"{name}@desktop"), json.dumps(
                {k: v for k, v in self.violations.items() if k.startswith(name)}, indent=1)

    def _axe(self, page: Any) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.axe)
        results = page.evaluate("async () => (await axe.run(document, "
                                "{resultTypes: ['violations']})).violations")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in results if v.get("impact") in BLOCKING_IMPACTS]
