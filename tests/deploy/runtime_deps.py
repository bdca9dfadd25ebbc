"""The third-party distributions our images install, with the versions tested here."""
from __future__ import annotations

import importlib.metadata as metadata
import re

from packaging.requirements import Requirement

OURS = re.compile(r"^(clientsynq-.*|qbo-sandbox)$")
ROOTS = ("clientsynq-common", "clientsynq-auth", "clientsynq-sync", "clientsynq-webhook",
         "clientsynq-portal", "qbo-sandbox", "clientsynq-mail-sink")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(roots: tuple[str, ...] = ROOTS) -> dict[str, str]:
    """name → installed version of every dependency reachable from `roots` (markers
    evaluated for this interpreter, extras ignored), our own distributions left out."""
    found: dict[str, str] = {}
    stack = [normalize(r) for r in roots]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        distribution = metadata.distribution(name)
        if not OURS.match(name):
            found[name] = distribution.version
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                stack.append(normalize(requirement.name))
    return found


def constraints_text() -> str:
    lines = [f"{name}=={version}" for name, version in sorted(runtime_closure().items())]
    return ("# The images' third-party packages, pinned (as tested when last refreshed).\n"
            "# Refresh: see tests/deploy/test_constraints.py.\n" + "\n".join(lines) + "\n")
