"""Sealed QBO tokens are bound to their business, realm and kind; opaque secrets name
their tenant; signing keys are generated once and rotate by file."""
from __future__ import annotations

import pytest
from clientsynq.auth.adapters.signing_keys import SigningKeysError, load_signing_keys
from clientsynq.auth.adapters.token_cipher import TokenCipher
from clientsynq.auth.domain.scoped_tokens import make_scoped_token, tenant_of
from clientsynq.common.crypto import DecryptionError, KeyRing, generate_key


def test_a_sealed_token_opens_only_for_its_tenant_realm_and_kind():
    cipher = TokenCipher(KeyRing.from_spec(f"k1:{generate_key()}", "k1"))
    sealed = cipher.seal("t1", "r1", "refresh", "AB11-secret")
    assert "AB11" not in sealed and cipher.open("t1", "r1", "refresh", sealed) == "AB11-secret"
    for tenant, realm, kind in (("t2", "r1", "refresh"), ("t1", "r2", "refresh"),
                                ("t1", "r1", "access")):
        with pytest.raises(DecryptionError):
            cipher.open(tenant, realm, kind, sealed)


def test_scoped_tokens_carry_their_tenant_and_nothing_else_parses():
    token = make_scoped_token("cli", "tenant-1")
    assert tenant_of("cli", token) == "tenant-1"
    assert tenant_of("csr", token) is None
    assert tenant_of("cli", "cli.tenant-1.") is None
    assert tenant_of("cli", "cli.bad/tenant.x") is None


def test_a_development_key_is_generated_once(tmp_path):
    first = load_signing_keys(str(tmp_path / "keys"), generate=True)
    second = load_signing_keys(str(tmp_path / "keys"), generate=True)
    assert first.active_kid == second.active_kid == "dev-1"
    assert list(second.public_keys()) == ["dev-1"]


def test_without_keys_and_without_generation_start_up_fails(tmp_path):
    with pytest.raises(SigningKeysError):
        load_signing_keys(str(tmp_path / "none"))


def test_the_active_key_can_be_chosen(tmp_path):
    load_signing_keys(str(tmp_path), generate=True)
    (tmp_path / "active").write_text("dev-1\n")
    assert load_signing_keys(str(tmp_path)).active_kid == "dev-1"
    with pytest.raises(SigningKeysError):
        load_signing_keys(str(tmp_path), active_kid="missing")
