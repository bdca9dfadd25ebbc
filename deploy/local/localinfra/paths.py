"""Where the local infrastructure keeps its binaries (cache) and its state (run dirs)."""
from __future__ import annotations

import hashlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DEPLOY_LOCAL = REPO / "deploy" / "local"
CACHE = REPO / ".cache" / "infra"
RUN = REPO / ".local" / "infra"

KAFKA_VERSION = "4.1.1"
FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
# Bumped whenever deploy/local changes how FerretDB is built, so a cached binary is rebuilt;
# the added Go source's hash rebuilds it whenever that file changes.
PUSHDOWN_GO = Path(__file__).with_name("ferretdb_pushdown.go.txt")
FERRETDB_BUILD = "pushdown-" + hashlib.sha256(PUSHDOWN_GO.read_bytes()).hexdigest()[:8]


def kafka_libs() -> Path:
    """Jars are cached per version so a second setup downloads nothing."""
    return CACHE / f"kafka-{KAFKA_VERSION}" / "libs"


def ferretdb_binary() -> Path:
    return CACHE / "bin" / f"ferretdb-{FERRETDB_VERSION}-{FERRETDB_BUILD}"
