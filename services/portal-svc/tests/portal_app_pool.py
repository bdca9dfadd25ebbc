"""Flask apps of the unit harnesses, built once and lent to one harness at a time.

Building the portal app costs 15-25 ms on the loaded 2-core machine (werkzeug compiles a URL
builder for every route), and the unit tests build one per test, over a hundred a run. A
harness borrows an app with its own fakes as the deps and a test client of its own (so no
cookie or fake is shared), and gives it back when its test ends (`close`, which the fixtures
call); an app never given back is simply not lent again. Two harnesses alive at once never
share an app. The app is the same code either way: only the deps the views read differ.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

DEPS = "clientsynq"  # where `create_service_app` puts the deps its views read


class AppPool:
    def __init__(self, build: Callable[[Any], Flask]) -> None:
        self._build = build
        self._spare: list[Flask] = []

    def lend(self, deps: Any) -> Flask:
        if not self._spare:
            return self._build(deps)
        app = self._spare.pop()
        app.extensions[DEPS] = deps
        return app

    def give_back(self, app: Flask) -> None:
        app.extensions[DEPS] = None  # a stale harness cannot reach the next test's fakes
        if app not in self._spare:
            self._spare.append(app)
