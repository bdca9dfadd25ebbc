"""Images install exactly the third-party versions the tests ran with (services/constraints.txt).

When a dependency changes, regenerate the file:
  .venv/bin/python -c "import sys; sys.path.insert(0, 'tests/deploy'); import runtime_deps; \
print(runtime_deps.constraints_text(), end='')" > services/constraints.txt
"""
from __future__ import annotations

from pathlib import Path

import runtime_deps

REPO = Path(__file__).resolve().parents[2]


def test_constraints_pin_every_runtime_dependency_at_the_tested_version() -> None:
    committed = (REPO / "services" / "constraints.txt").read_text()
    assert committed == runtime_deps.constraints_text(), __doc__


def test_the_images_install_under_the_constraints() -> None:
    for dockerfile in ("services/Dockerfile", "tools/Dockerfile"):
        text = (REPO / dockerfile).read_text()
        assert "PIP_CONSTRAINT=/src/services/constraints.txt" in text, dockerfile
