"""Images install pinned third-party versions (services/constraints.txt): every runtime
dependency of our packages is pinned there, at a version our packages accept.

To refresh the pins to what this environment has installed (and tested):
  .venv/bin/python -c "import sys; sys.path.insert(0, 'tests/deploy'); import runtime_deps; \
print(runtime_deps.constraints_text(), end='')" > services/constraints.txt
"""
from __future__ import annotations

import importlib.metadata as metadata
from pathlib import Path

import runtime_deps
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    lines = (REPO / "services" / "constraints.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {runtime_deps.normalize(name): version for name, version in pins}


def test_every_runtime_dependency_is_pinned() -> None:
    assert sorted(set(runtime_deps.runtime_closure()) - set(_pins())) == [], __doc__


def test_every_pin_satisfies_what_our_packages_require() -> None:
    pins = _pins()
    for root in runtime_deps.ROOTS:
        for text in metadata.distribution(root).requires or []:
            requirement = Requirement(text)
            name = runtime_deps.normalize(requirement.name)
            if name in pins:
                assert requirement.specifier.contains(pins[name]), (root, text, pins[name])


def test_the_images_install_under_the_constraints() -> None:
    for dockerfile in ("services/Dockerfile", "tools/Dockerfile"):
        text = (REPO / dockerfile).read_text()
        assert "PIP_CONSTRAINT=/src/services/constraints.txt" in text, dockerfile
