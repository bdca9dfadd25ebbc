"""The console script in a subprocess, and the data file surviving a restart."""

from __future__ import annotations

from pathlib import Path

import requests

from qbo_sandbox.testing import running_sandbox


def test_data_survives_a_restart_with_a_data_file(tmp_path: Path) -> None:
    data_file = str(tmp_path / "sandbox.json")
    with running_sandbox(in_subprocess=True, data_file=data_file, demo_company=True) as first:
        app = first.control.register_app(client_id="persist-app", client_secret="pw",
                                         redirect_uris=["http://127.0.0.1:9/cb"])
        realm = first.control.companies()[0]["realm_id"]
        tokens = first.control.connect(app["client_id"], realm)
        created = first.control.change(realm, "Customer", operation="create",
                                       DisplayName="Survivor Inc")
    assert Path(data_file).exists()
    with running_sandbox(in_subprocess=True, data_file=data_file) as second:
        response = requests.get(f"{second.base_url}/v3/company/{realm}/customer/{created['Id']}",
                                headers={"Authorization": f"Bearer {tokens['access_token']}",
                                         "Accept": "application/json"}, timeout=10)
        assert response.status_code == 200
        assert response.json()["Customer"]["DisplayName"] == "Survivor Inc"
        assert second.control.companies()[0]["counts"]["Invoice"] == 400


def test_reset_forgets_companies_and_tokens_but_can_keep_apps() -> None:
    with running_sandbox() as sb:
        app = sb.control.register_app()
        realm = sb.control.create_company(customers=2)["realm_id"]
        sb.control.connect(app["client_id"], realm)
        sb.control.reset(keep_apps=True)
        assert sb.control.companies() == []
        assert sb.control.counts()["connections"] == 0
        assert requests.get(f"{sb.base_url}/_sandbox/apps/{app['client_id']}",
                            timeout=10).status_code == 200


def test_options_from_env_turns_the_messy_set_on_and_takes_overrides() -> None:
    from qbo_sandbox.testing import MESSY_OPTIONS, options_from_env

    assert options_from_env({}) == {}
    messy = options_from_env({"QBO_SANDBOX_MESSY": "1",
                              "QBO_SANDBOX_OPTIONS": '{"cdc_cut_order": "oldest_first"}'})
    assert messy == {**MESSY_OPTIONS, "cdc_cut_order": "oldest_first"}
    with running_sandbox(**messy) as box:
        assert box.control.health()["status"] == "ok"


def test_cli_options_messy_and_any_field() -> None:
    import pytest

    from qbo_sandbox.cli import build_parser, options_from_args

    args = build_parser().parse_args(["serve", "--messy", "--oauth-port", "0",
                                      "--option", "webhook_drop_rate=0.5",
                                      "--option", "void_shape=lines_kept"])
    options = options_from_args(args)
    assert options.webhook_drop_rate == 0.5 and options.void_shape == "lines_kept"
    assert options.shuffle_ties is True and options.oauth_port == 0
    with pytest.raises(SystemExit):
        options_from_args(build_parser().parse_args(["serve", "--option", "nope=1"]))
