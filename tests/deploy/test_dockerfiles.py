"""Every Dockerfile passes our hadolint-equivalent rules; each rule fails its bad example."""
from __future__ import annotations

from pathlib import Path

import dockerfile_lint
import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("**/Dockerfile")
                     if not {".venv", ".cache", "node_modules"} & set(p.parts))
DIGEST = "@sha256:" + "a" * 64
GOOD = f"""FROM python:3.11-slim{DIGEST} AS build
RUN pip install --no-cache-dir .
FROM python:3.11-slim{DIGEST}
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001
HEALTHCHECK CMD ["python", "/app/healthcheck.py"]
CMD ["gunicorn"]
"""


def test_the_images_we_ship_are_all_linted() -> None:
    assert {"services/Dockerfile", "tools/Dockerfile", "deploy/gateway/Dockerfile"} <= set(
        DOCKERFILES)


@pytest.mark.parametrize("path", DOCKERFILES)
def test_dockerfile_passes_every_rule(path: str) -> None:
    assert dockerfile_lint.lint((REPO / path).read_text()) == []


BAD = {  # rule → a change to GOOD that must break exactly that rule
    "pinned_base": (f"FROM python:3.11-slim{DIGEST}\nCOPY", "FROM python:latest\nCOPY"),
    "non_root": ("USER 10001", "USER root"),
    "exec_form": ('CMD ["gunicorn"]', "CMD gunicorn --bind 0.0.0.0"),
    "copy_not_add": ("WORKDIR /app", "ADD https://example.com/x.tgz /x\nWORKDIR /app"),
    "pip_no_cache": ("pip install --no-cache-dir .", "pip install ."),
    "absolute_workdir": ("WORKDIR /app", "WORKDIR app"),
    "no_sudo": ("pip install --no-cache-dir .", "sudo pip install --no-cache-dir ."),
    "healthcheck": ('HEALTHCHECK CMD ["python", "/app/healthcheck.py"]\n', ""),
    "no_build_tools": ("WORKDIR /app", "RUN apt-get install -y gcc \\\n  make\nWORKDIR /app"),
    "multi_stage": ("COPY --from=build /opt/venv /opt/venv", "COPY . /opt/venv"),
}


def test_the_good_example_is_clean() -> None:
    assert dockerfile_lint.lint(GOOD) == []


@pytest.mark.parametrize("rule", sorted(BAD))
def test_each_rule_fails_its_bad_example(rule: str) -> None:
    old, new = BAD[rule]
    assert old in GOOD
    bad = GOOD.replace(old, new, 1)
    assert dockerfile_lint.RULES[rule](dockerfile_lint.stages(dockerfile_lint.parse(bad)))


def test_every_rule_has_a_bad_example() -> None:
    assert set(BAD) == set(dockerfile_lint.RULES)


def test_continuations_and_comments_are_one_instruction() -> None:
    parsed = dockerfile_lint.parse("RUN a \\\n  # note\n  && b\n# c\nUSER 1\n")
    assert [(i.line, i.keyword, i.args) for i in parsed] == [(1, "RUN", "a && b"),
                                                             (5, "USER", "1")]
