"""`make dev-env` on a checkout made before a secret existed: the missing secret is
generated into the existing `.local/dev.env`, every value already there is kept (data sealed
with yesterday's keys still opens) and the file stays owner-only. How
`SERVICE_SECRET_PORTAL_SYNC` (issue 12, finding 10) reaches existing checkouts."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import devenv
import pytest

OLD = {"TOKEN_ENCRYPTION_KEYS": "dev1:old-key", "TOKEN_ENCRYPTION_ACTIVE_KEY": "dev1",
       "SERVICE_SECRET_SYNC": "s" * 32, "SERVICE_SECRET_PORTAL": "p" * 32}


def test_an_existing_dev_env_gains_the_new_secrets_and_keeps_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "dev.env"
    target.write_text("# Generated development secrets; never commit.\n"
                      + "".join(f"{k}={v}\n" for k, v in OLD.items()))
    target.chmod(0o644)
    monkeypatch.setattr(devenv, "DEV_ENV", target)

    values = devenv.ensure_dev_env()

    assert {k: values[k] for k in OLD} == OLD
    assert len(values["SERVICE_SECRET_PORTAL_SYNC"]) >= 16
    assert values["SERVICE_SECRET_PORTAL_SYNC"] != values["SERVICE_SECRET_PORTAL"]
    written = dict(line.split("=", 1) for line in target.read_text().splitlines()
                   if "=" in line and not line.startswith("#"))
    assert written == {k: values[k] for k in devenv._generated()}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert devenv.ensure_dev_env() == values  # a second run changes nothing
