"""Idempotent installation of the Kafka jars (Maven Central) and FerretDB (Go module proxy)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import paths
from .progress import note, step


class InstallError(RuntimeError):
    """A tool the installation needs is missing or a download/build failed."""


def install_all() -> None:
    install_kafka()
    install_ferretdb()
    from .deploytools import install_deploy_tools  # it imports helpers from here
    install_deploy_tools()
    from .gateway import install_nginx
    install_nginx()


def install_kafka() -> Path:
    """Copy kafka_2.13 and its runtime dependencies into a versioned cache folder."""
    libs = paths.kafka_libs()
    if libs.is_dir() and any(libs.glob("kafka_2.13-*.jar")):
        return libs
    _require("mvn", "java")
    staging = libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    pom = paths.DEPLOY_LOCAL / "kafka" / "pom.xml"
    with step(f"downloading Apache Kafka {paths.KAFKA_VERSION} jars from Maven Central"):
        _run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
              f"-Dkafka.version={paths.KAFKA_VERSION}", "-DincludeScope=runtime",
              f"-DoutputDirectory={staging}"])
    staging.rename(libs)
    return libs


def install_ferretdb() -> Path:
    """Build FerretDB from its module source.

    `go install` works but yields a binary that panics at start: the published module lacks
    build/version/version.txt. So we copy the downloaded module, write that file, patch the
    `_id` lookup (`_patch_id_lookup`, `_patch_id_pushdown`), and build.
    """
    binary = paths.ferretdb_binary()
    if binary.is_file():
        return binary
    _require("go")
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    module = f"{paths.FERRETDB_MODULE}@{paths.FERRETDB_VERSION}"
    with step(f"downloading FerretDB {paths.FERRETDB_VERSION} source (Go module proxy)"):
        info = json.loads(_run(["go", "mod", "download", "-json", module], env=env))
    with (step("building FerretDB (first time only; a few minutes on 2 cores)"),
          tempfile.TemporaryDirectory(prefix="ferretdb-src-") as tmp):
        src = Path(tmp) / "src"
        shutil.copytree(info["Dir"], src)
        for p in src.rglob("*"):
            p.chmod(p.stat().st_mode | 0o200)
        (src / "build" / "version" / "version.txt").write_text(paths.FERRETDB_VERSION + "\n")
        _patch_id_lookup(src)
        _patch_id_pushdown(src)
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(".partial")
        _run(["go", "build", "-o", str(partial), "./cmd/ferretdb"], env=env, cwd=src)
        partial.rename(binary)
    note(f"FerretDB at {binary}")
    return binary


# FerretDB 1.24's SQLite backend creates each collection's unique `_id` index on
# `_ferretdb_sjson->"_id"` but filters on `_ferretdb_sjson->'$._id'`. Both read the same JSON
# value, yet SQLite uses an expression index only for the identical expression, so every
# `{_id: ...}` find, update and delete scanned the whole table (EXPLAIN QUERY PLAN: SCAN): a
# lookup cost the collection's size. `->'_id'` is the same path written as the index has it
# (SEARCH ... USING INDEX). Production runs MongoDB, whose `_id` lookups use its index; this
# makes the local server behave alike. tests: deploy/local/tests/test_ferretdb_id_index.py
_ID_EXPR_FERRETDB = 'IDColumn = DefaultColumn + "->\'$._id\'"'
_ID_EXPR_INDEXED = 'IDColumn = DefaultColumn + "->\'_id\'"'


def _patch_id_lookup(src: Path) -> None:
    """Make FerretDB's `_id` filter the expression its `_id` index is built on."""
    meta = src / "internal" / "backends" / "sqlite" / "metadata" / "metadata.go"
    text = meta.read_text()
    if _ID_EXPR_FERRETDB not in text:
        raise InstallError(f"FerretDB source changed: {_ID_EXPR_FERRETDB!r} not in {meta}")
    meta.write_text(text.replace(_ID_EXPR_FERRETDB, _ID_EXPR_INDEXED))


# FerretDB 1.24's SQLite backend hands SQLite the `_id` condition only when the filter is
# `{_id: <string or ObjectId>}` alone; `{_id: x, tenant_id: t}` (every tenant-scoped lookup
# we make, and every versioned upsert `{_id, tenant_id, version: {$lt: v}}`) read and
# decoded the whole collection in Go. Every handler filters what the backend returns with
# the whole filter again (update, find, count, distinct, findAndModify, delete, aggregate),
# so narrowing the SQL to that one `_id` whenever the filter names it at the top level with
# a plain value changes no answer: a document matching the filter has that `_id`.
# tests: tests/deploy/test_ferretdb_id_index.py
_PUSHDOWN_FERRETDB = "if params.Filter.Len() == 1 {"
_PUSHDOWN_ANY_ID = "if params.Filter.Len() >= 1 {"


def _patch_id_pushdown(src: Path) -> None:
    """Push the `_id` equality down to SQLite whatever else the filter holds."""
    collection = src / "internal" / "backends" / "sqlite" / "collection.go"
    text = collection.read_text()
    if text.count(_PUSHDOWN_FERRETDB) != 2:  # Query and Explain, nothing else
        raise InstallError(f"FerretDB source changed: {_PUSHDOWN_FERRETDB!r} not twice in "
                           f"{collection}")
    collection.write_text(text.replace(_PUSHDOWN_FERRETDB, _PUSHDOWN_ANY_ID))


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise InstallError(f"missing tools on PATH: {', '.join(missing)}")


def _run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
        raise InstallError(f"{' '.join(cmd[:3])} failed:\n{output}")
    return done.stdout
