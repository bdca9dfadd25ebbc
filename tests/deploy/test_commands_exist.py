"""What the images, compose and the manifests run exists in the repository: files a
Dockerfile copies, services a build names, modules a command starts, apps gunicorn loads."""
from __future__ import annotations

import importlib
import importlib.util
import shlex
from pathlib import Path
from typing import Any

import dockerfile_lint
import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILES = ["services/Dockerfile", "tools/Dockerfile", "deploy/gateway/Dockerfile"]


@pytest.mark.parametrize("path", DOCKERFILES)
def test_every_copied_path_exists(path: str) -> None:
    for i in dockerfile_lint.parse((REPO / path).read_text()):
        if i.keyword != "COPY" or "--from=" in i.args:
            continue
        *sources, _ = [w for w in shlex.split(i.args) if not w.startswith("--")]
        for source in sources:
            if "$" not in source:
                assert (REPO / source).exists(), f"{path}:{i.line} copies missing {source}"


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _app_exists(app_module: str) -> bool:
    module, _, call = app_module.partition(":")
    return callable(getattr(importlib.import_module(module), call.removesuffix("()")))


def test_compose_builds_name_real_services_and_apps(compose: dict[str, Any]) -> None:
    built = [s["build"] for s in compose["services"].values() if "build" in s]
    assert built
    for build in built:
        assert (REPO / build["dockerfile"]).is_file() or Path(build["dockerfile"]).is_file()
        args = build.get("args") or {}
        for name in (args.get("SERVICES") or "").split():
            assert (REPO / "services" / name / "pyproject.toml").is_file(), name
        if args.get("APP_MODULE"):
            assert _app_exists(args["APP_MODULE"]), args["APP_MODULE"]


def _python_modules(command: list[str]) -> list[str]:
    return [command[i + 1] for i, word in enumerate(command[:-1])
            if word == "-m" and command[0] == "python"]


def test_every_module_a_process_starts_exists(
        compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]]) -> None:
    commands = [s["command"] for s in compose["services"].values() if s.get("command")]
    commands += [c["command"] for d in rendered["prod"] if d["kind"] in ("Deployment", "Job")
                 for c in d["spec"]["template"]["spec"]["containers"] if "command" in c]
    modules = {m for command in commands for m in _python_modules(command)}
    assert {"clientsynq.sync.worker", "clientsynq.common.kafka.bootstrap"} <= modules
    assert sorted(m for m in modules if not _module_exists(m)) == []
    scripts = {w for command in commands for w in command if w.startswith("/app/")}
    assert scripts and all((REPO / "services" / Path(s).name).is_file() for s in scripts)
