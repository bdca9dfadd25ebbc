from __future__ import annotations

import base64

import pytest
from clientsynq.common.crypto import (
    DecryptionError,
    KeyRing,
    KeyRingError,
    associated_data,
    generate_key,
)

AD = associated_data("tenant-1", "9130350000000001")
PLAINTEXT = b"refresh-token-AB11-secret-value"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.from_spec(f"k1:{generate_key()},k2:{generate_key()}", active="k1")


def test_round_trip(ring: KeyRing) -> None:
    token = ring.encrypt(PLAINTEXT, AD)

    assert ring.decrypt(token, AD) == PLAINTEXT
    assert PLAINTEXT not in token


def test_text_round_trip_is_url_safe(ring: KeyRing) -> None:
    token = ring.encrypt_text("rt-üñí", AD)

    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert ring.decrypt_text(token, AD) == "rt-üñí"


def test_each_encryption_uses_a_fresh_nonce(ring: KeyRing) -> None:
    assert ring.encrypt(PLAINTEXT, AD) != ring.encrypt(PLAINTEXT, AD)


def test_flipping_any_byte_is_detected(ring: KeyRing) -> None:
    token = ring.encrypt(PLAINTEXT, AD)

    for index in range(len(token)):
        tampered = bytearray(token)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            ring.decrypt(bytes(tampered), AD)


def test_truncated_token_is_refused(ring: KeyRing) -> None:
    token = ring.encrypt(PLAINTEXT, AD)

    for length in (0, 1, 5, len(token) - 1):
        with pytest.raises(DecryptionError):
            ring.decrypt(token[:length], AD)


def test_wrong_associated_data_is_refused(ring: KeyRing) -> None:
    token = ring.encrypt(PLAINTEXT, AD)

    with pytest.raises(DecryptionError):
        ring.decrypt(token, associated_data("tenant-2", "9130350000000001"))


def test_associated_data_is_unambiguous() -> None:
    assert associated_data("ab", "c") != associated_data("a", "bc")
    assert associated_data("a", "") != associated_data("a")


def test_unknown_key_is_refused_without_leaking_anything(ring: KeyRing) -> None:
    other = KeyRing({"k9": base64.b64decode(generate_key())}, active="k9")
    token = other.encrypt(PLAINTEXT, AD)

    with pytest.raises(DecryptionError) as caught:
        ring.decrypt(token, AD)

    assert PLAINTEXT.decode() not in str(caught.value)


def test_same_key_id_with_a_different_key_is_refused(ring: KeyRing) -> None:
    impostor = KeyRing({"k1": base64.b64decode(generate_key())}, active="k1")

    with pytest.raises(DecryptionError):
        ring.decrypt(impostor.encrypt(PLAINTEXT, AD), AD)


def test_rotation_keeps_old_tokens_readable_and_seals_new_ones_with_the_new_key(
    ring: KeyRing,
) -> None:
    old = ring.encrypt_text("old-token", AD)

    ring.rotate_active("k2")
    new = ring.encrypt_text("new-token", AD)

    assert ring.decrypt_text(old, AD) == "old-token"
    assert ring.key_id_of(base64.urlsafe_b64decode(new + "==")) == "k2"
    assert ring.needs_reencryption(old) is True
    assert ring.needs_reencryption(new) is False


def test_a_retired_key_makes_its_tokens_unreadable(ring: KeyRing) -> None:
    token = ring.encrypt(PLAINTEXT, AD)
    keys = {"k2": base64.b64decode(generate_key())}

    with pytest.raises(DecryptionError):
        KeyRing(keys, active="k2").decrypt(token, AD)


def test_tampered_text_token_is_refused(ring: KeyRing) -> None:
    token = ring.encrypt_text("value", AD)
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]

    for bad in (tampered, token + "!", token.replace(token[5], "+", 1)):
        with pytest.raises(DecryptionError):
            ring.decrypt_text(bad, AD)


@pytest.mark.parametrize("spec,active", [
    ("", "k1"), ("k1", "k1"), ("k1:not-base64!", "k1"),
    ("k1:" + base64.b64encode(b"short").decode(), "k1"),
    (f"k1:{generate_key()}", "k2"), (f"k1:{generate_key()},k1:{generate_key()}", "k1"),
    (f"bad id:{generate_key()}", "bad id"),
])
def test_malformed_key_rings_are_refused(spec: str, active: str) -> None:
    with pytest.raises(KeyRingError):
        KeyRing.from_spec(spec, active=active)


def test_errors_and_repr_never_show_key_material() -> None:
    key = generate_key()
    ring = KeyRing.from_spec(f"k1:{key}", active="k1")
    with pytest.raises(KeyRingError) as caught:
        KeyRing.from_spec(f"k1:{key[:-8]}", active="k1")

    assert key not in repr(ring) and key[:-8] not in str(caught.value)


def test_generated_keys_are_256_bit_and_distinct() -> None:
    first, second = generate_key(), generate_key()

    assert len(base64.b64decode(first)) == 32 and first != second
