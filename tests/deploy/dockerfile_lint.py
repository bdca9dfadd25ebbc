"""A small Dockerfile linter with hadolint's rules that matter to us (DL ids are hadolint's)
and a few of our own (CS ids). `lint(text)` returns "RULE: message (line N)" strings.

Rules work on instructions: comments dropped, continuation lines joined, stages split at
FROM. The final stage is what ships, so several rules look only at it.
"""
from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|build-essential|make|clang|git|python3?-dev)\b")


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    args: str


def parse(text: str) -> list[Instruction]:
    out, buffer, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # a comment inside a continued RUN
        start = start or number
        piece = stripped.removesuffix("\\").strip()
        buffer = f"{buffer} {piece}" if buffer else piece
        if not stripped.endswith("\\"):
            keyword, _, args = buffer.strip().partition(" ")
            out.append(Instruction(start, keyword.upper(), args.strip()))
            buffer, start = "", 0
    return out


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    out: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            out.append([])
        if out:
            out[-1].append(instruction)
    return out


Rule = Callable[[list[list[Instruction]]], list[str]]


def _image(instruction: Instruction) -> str:
    words = [w for w in instruction.args.split() if not w.startswith("--")]
    return words[0] if words else ""


def pinned_base(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3006/DL3007 and CS001: a version tag, never latest, and the digest too."""
    names = {s[0].args.split()[-1] for s in stage_list if " AS " in s[0].args.upper()}
    out = []
    for stage in stage_list:
        image = _image(stage[0])
        if image in names or image == "scratch":
            continue
        tag = image.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            out.append(f"DL3007: {image} has no version tag (line {stage[0].line})")
        if not DIGEST.search(image):
            out.append(f"CS001: {image} is not pinned by digest (line {stage[0].line})")
    return out


def non_root(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3002: the image runs as a non-root user, named by the final stage."""
    users = [i for i in stage_list[-1] if i.keyword == "USER"]
    if not users:
        return ["DL3002: the final stage never sets USER (runs as root)"]
    user = users[-1].args.split(":")[0]
    return [f"DL3002: last USER is root (line {users[-1].line})"] if user in ("root", "0") else []


def exec_form(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3025: CMD and ENTRYPOINT as JSON arrays, so signals reach the process."""
    out = []
    for i in stage_list[-1]:
        if i.keyword in ("CMD", "ENTRYPOINT"):
            try:
                ok = isinstance(json.loads(i.args), list)
            except json.JSONDecodeError:
                ok = False
            if not ok:
                out.append(f"DL3025: {i.keyword} in shell form (line {i.line})")
    return out


def copy_not_add(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3020: ADD fetches URLs and unpacks archives implicitly; COPY does what it says."""
    return [f"DL3020: ADD instead of COPY (line {i.line})"
            for stage in stage_list for i in stage if i.keyword == "ADD"]


def pip_no_cache(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3042: pip's cache has no place in an image layer."""
    return [f"DL3042: pip install without --no-cache-dir (line {i.line})"
            for stage in stage_list for i in stage
            if i.keyword == "RUN" and re.search(r"pip3? install", i.args)
            and "--no-cache-dir" not in i.args]


def absolute_workdir(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3000: a relative WORKDIR depends on whatever the base image chose."""
    return [f"DL3000: relative WORKDIR {i.args} (line {i.line})"
            for stage in stage_list for i in stage
            if i.keyword == "WORKDIR" and not i.args.startswith(("/", "$"))]


def no_sudo(stage_list: list[list[Instruction]]) -> list[str]:
    """DL3004: sudo in a build is a sign of a wrong USER."""
    return [f"DL3004: sudo (line {i.line})" for stage in stage_list for i in stage
            if i.keyword == "RUN" and "sudo" in shlex.split(i.args.replace("&&", " "))]


def healthcheck(stage_list: list[list[Instruction]]) -> list[str]:
    """CS002: the shipped image says how to tell it is healthy."""
    found = any(i.keyword == "HEALTHCHECK" and i.args != "NONE" for i in stage_list[-1])
    return [] if found else ["CS002: the final stage has no HEALTHCHECK"]


def no_build_tools(stage_list: list[list[Instruction]]) -> list[str]:
    """CS003: compilers stay in the build stage (multi-stage), never in what ships."""
    return [f"CS003: build tools installed in the final stage (line {i.line})"
            for i in stage_list[-1] if i.keyword == "RUN"
            and re.search(r"(apt-get|apk|yum|dnf) (install|add)", i.args)
            and BUILD_TOOLS.search(i.args)]


def multi_stage(stage_list: list[list[Instruction]]) -> list[str]:
    """CS004: dependencies are installed in a build stage and copied over."""
    if len(stage_list) < 2:
        return ["CS004: a single stage: what was needed to build it ships with it"]
    copies = [i for i in stage_list[-1] if i.keyword == "COPY" and "--from=" in i.args]
    return [] if copies else ["CS004: the final stage copies nothing from a build stage"]


RULES: dict[str, Rule] = {
    "pinned_base": pinned_base, "non_root": non_root, "exec_form": exec_form,
    "copy_not_add": copy_not_add, "pip_no_cache": pip_no_cache,
    "absolute_workdir": absolute_workdir, "no_sudo": no_sudo, "healthcheck": healthcheck,
    "no_build_tools": no_build_tools, "multi_stage": multi_stage,
}


def lint(text: str) -> list[str]:
    stage_list = stages(parse(text))
    if not stage_list:
        return ["DL3061: no FROM instruction"]
    return [problem for rule in RULES.values() for problem in rule(stage_list)]
