"""Browser tests: the help page's story in Chromium, through the gateway, on real services.

One stack (every process, a fresh sandbox, a mail catcher) per session: starting it costs
seconds, the story minutes. Screenshots, axe reports and process logs go to
`build/test-artifacts/browser/` (ignored by git).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import ARTIFACTS, PageChecker, launch
from browser_stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(infra: Any) -> Iterator[Stack]:
    with running_stack(infra, ARTIFACTS) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def checker() -> PageChecker:
    return PageChecker(ARTIFACTS)
