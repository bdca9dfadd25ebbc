"""Debian's Chromium driven by Playwright (Python), axe-core checks and screenshots.

Nothing is downloaded by Playwright (never `playwright install`): the browser is
`/usr/bin/chromium` and axe-core comes from npm (`browser_tools.py`, run by `make setup`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_tools import REPO, MissingTool, ensure_axe, ensure_chromium

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = REPO / "build" / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")


def _required(install: Any) -> Path:
    """A browser test without its browser fails loudly (`make setup` installs both)."""
    try:
        return Path(install())
    except MissingTool as missing:
        pytest.fail(str(missing))


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(_required(ensure_chromium)),
                                      args=CHROMIUM_ARGS, headless=True)


class PageChecker:
    """`check(page, name)`: axe finds no serious/critical violation, and the page is
    photographed at phone and desktop widths into the artifacts directory."""

    def __init__(self, artifacts: Path) -> None:
        self.shots = artifacts / "screenshots"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.axe = _required(ensure_axe).read_text()
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
            page.evaluate(self.axe)  # by DevTools, so the page's CSP (no inline script) holds
        results = page.evaluate("async () => (await axe.run(document, "
                                "{resultTypes: ['violations']})).violations")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in results if v.get("impact") in BLOCKING_IMPACTS]
