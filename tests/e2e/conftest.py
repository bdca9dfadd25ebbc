"""End-to-end fixtures: one whole stack (every production process) per session, shared by
the story and the fault drills; each test uses a business and company of its own, so they
never see each other's data. A failed test gets each process's log tail in its report."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from stack import Stack, running_stack


@pytest.fixture(scope="session")
def e2e_stack(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("e2e")) as stack:
        yield stack


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    stack = getattr(item, "funcargs", {}).get("e2e_stack")
    if report.failed and isinstance(stack, Stack):
        report.sections.append(("process logs (tails)", stack.tails()))
