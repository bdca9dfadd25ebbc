"""Findings 7, 8 and 10 in every deployment we ship. Where people run ClientSynq on their
own machine, `make run` (deploy/local/devenv.py) and docker-compose confirm sign-ups by
email (a new and a known email get the same 202; the link is in the mail catcher) and keep
the internal API off the public listener; one-step sign-up is left to the in-process test
stacks. Kubernetes, docker-compose and `make run` all trust exactly the gateway's one proxy
hop for the client address that rate limits and lockouts key on."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import devenv  # deploy/local, on the path by pyproject's `pythonpath`
import pytest
import yaml
from clientsynq.auth.config import Settings

REPO = Path(__file__).resolve().parents[4]


def _compose_auth_env() -> dict[str, Any]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return {key: str(value) for key, value in compose["x-auth-env"].items() if key != "<<"}


@pytest.mark.parametrize("where", ["make run", "docker-compose"])
def test_development_confirms_sign_ups_and_splits_the_internal_api(where, tmp_path, monkeypatch):
    monkeypatch.setattr(devenv, "DEV_ENV", tmp_path / "dev.env")
    env = devenv.ensure_dev_env()  # secrets (generated here) and the fixed addresses
    if where == "docker-compose":
        env = {**env, **_compose_auth_env()}
    env["AUTH_SIGNING_KEYS_DIR"] = str(tmp_path)
    settings = Settings.from_env(env)
    assert settings.signup_confirmation
    assert not settings.internal_api_on_public


def _k8s_auth_config() -> dict[str, str]:
    docs = yaml.safe_load_all((REPO / "deploy/k8s/base/generated/auth-svc.yaml").read_text())
    config = next(d for d in docs if d and d["kind"] == "ConfigMap")
    return dict(config["data"])


def test_every_deployment_trusts_the_gateways_one_hop_and_splits_the_internal_api(tmp_path,
                                                                                 monkeypatch):
    monkeypatch.setattr(devenv, "DEV_ENV", tmp_path / "dev.env")
    for env in (devenv.ensure_dev_env(), _compose_auth_env(), _k8s_auth_config()):
        assert env["AUTH_TRUSTED_PROXY_HOPS"] == "1"
        assert env["AUTH_INTERNAL_API_ON_PUBLIC"] == "false"
