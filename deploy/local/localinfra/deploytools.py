"""Tools the deployment validation (tests/deploy) runs: kustomize and compose-check.

Both are built from Go module source through the Go module proxy (as FerretDB is), once per
version, into the cache; after that the validation runs offline.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from . import paths
from .install import _require, _run
from .progress import note, step

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"
COMPOSE_CHECK_SRC = paths.REPO / "tests" / "deploy" / "composecheck"


def _go_env() -> dict[str, str]:
    return {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}


def kustomize_binary() -> Path:
    return paths.CACHE / "bin" / f"kustomize-{KUSTOMIZE_VERSION}"


def compose_check_binary() -> Path:
    """Named by a hash of its source and go.sum, so a changed checker is rebuilt."""
    digest = hashlib.sha256()
    for name in ("main.go", "go.mod", "go.sum"):
        digest.update((COMPOSE_CHECK_SRC / name).read_bytes())
    return paths.CACHE / "bin" / f"compose-check-{digest.hexdigest()[:12]}"


def install_kustomize() -> Path:
    binary = kustomize_binary()
    if binary.is_file():
        return binary
    _require("go")
    with (step(f"building kustomize {KUSTOMIZE_VERSION} (Go module proxy; first time only)"),
          tempfile.TemporaryDirectory(prefix="kustomize-") as gobin):
        _run(["go", "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
             env={**_go_env(), "GOBIN": gobin})
        _publish(Path(gobin) / "kustomize", binary)
    note(f"kustomize at {binary}")
    return binary


def install_compose_check() -> Path:
    binary = compose_check_binary()
    if binary.is_file():
        return binary
    _require("go")
    with (step("building compose-check (compose-go; first time only)"),
          tempfile.TemporaryDirectory(prefix="compose-check-") as tmp):
        built = Path(tmp) / "compose-check"
        _run(["go", "build", "-o", str(built), "."], env=_go_env(), cwd=COMPOSE_CHECK_SRC)
        _publish(built, binary)
    return binary


def install_deploy_tools() -> None:
    install_kustomize()
    install_compose_check()


def _publish(built: Path, binary: Path) -> None:
    """Copy then rename: a half-written binary never sits at the final name."""
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_suffix(".partial")
    shutil.copy2(built, partial)
    partial.rename(binary)
