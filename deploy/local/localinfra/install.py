"""Idempotent installation of the Kafka jars (Maven Central) and FerretDB (Go module proxy)."""
from __future__ import annotations

import json
import os
import re
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
    `_id` lookup (`_patch_id_lookup`) and the filter pushdown (`_patch_pushdown`), and build.
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
        _patch_pushdown(src)
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


# FerretDB 1.24's SQLite backend hands SQLite a condition only when the filter is
# `{_id: <string or ObjectId>}` alone. Every other filter (`{_id, tenant_id}`, the versioned
# upsert's `{_id, tenant_id, version: {$lt: v}}`, `{tenant_id}`, `{realm_id}`, `{email}`, the
# work queue's `{status: {$in}}`) read and decoded the whole collection in Go, whatever
# indexes exist: the cost grew with the collection, where MongoDB searches its index.
# `ferretdb_pushdown.go.txt` (copied in as pushdown_clientsynq.go) builds the WHERE clause
# from the filter's top-level string and boolean equalities and `$in`s of them (and an `_id`
# `$in` of strings), on the expression FerretDB builds its indexes on, keeping arrays (which
# MongoDB matches by element). Every
# handler filters the returned rows again with the whole filter (find, count, distinct,
# update, findAndModify, delete, aggregate's leading `$match`), so a condition that only
# narrows changes no answer. tests: tests/deploy/test_ferretdb_id_index.py
_PUSHDOWN_BLOCK = re.compile(r"\tif params\.Filter\.Len\(\) == 1 \{\n.*?\n\t\}\n", re.S)
_PUSHDOWN_QUERY = "\twhereClause, args = pushdownWhere(params.Filter)\n"
_PUSHDOWN_EXPLAIN = _PUSHDOWN_QUERY + '\tfilterPushdown = whereClause != ""\n'


def _patch_pushdown(src: Path) -> None:
    """Hand SQLite the filter's top-level string equalities, not only a lone `_id`."""
    sqlite = src / "internal" / "backends" / "sqlite"
    collection = sqlite / "collection.go"
    text = collection.read_text()
    blocks = _PUSHDOWN_BLOCK.findall(text)
    if len(blocks) != 2 or "filterPushdown = true" not in blocks[1]:  # Query, then Explain
        raise InstallError(f"FerretDB source changed: the `_id` pushdown of Query and Explain "
                           f"not found in {collection}")
    text = text.replace(blocks[0], _PUSHDOWN_QUERY).replace(blocks[1], _PUSHDOWN_EXPLAIN)
    collection.write_text(text)
    shutil.copyfile(paths.PUSHDOWN_GO, sqlite / "pushdown_clientsynq.go")


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
