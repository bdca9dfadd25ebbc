"""Finding 11: the development secrets file (`.local/dev.env`, token encryption keys and
service secrets) is owner-only from the moment it exists, not made so afterwards."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import devenv  # deploy/local, on the path by pyproject's `pythonpath`
import pytest


class NoLateChmod(type(Path())):  # type: ignore[misc]
    """A path whose chmod never happens: as if the process died right after writing."""

    def chmod(self, mode: int, *, follow_symlinks: bool = True) -> None:
        return None


def test_the_secrets_file_is_created_owner_only(tmp_path, monkeypatch: pytest.MonkeyPatch):
    target = NoLateChmod(tmp_path / "dev.env")
    monkeypatch.setattr(devenv, "DEV_ENV", target)
    old_umask = os.umask(0)
    try:
        values = devenv.ensure_dev_env()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert values["TOKEN_ENCRYPTION_KEYS"] in target.read_text()
