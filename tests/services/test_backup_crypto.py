"""The encrypted stream: round-trips any bytes, and refuses every single flipped bit and every
truncation (property tests over random payloads and positions)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.services.backup.crypto import (
    BackupError,
    EncryptingWriter,
    create_key,
    decrypt_chunks,
)

PASSPHRASE = "property passphrase"
KEY = create_key(PASSPHRASE, scrypt_n=1 << 10)


def _seal(payload: bytes) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, KEY, {"format": "test"})
    writer.write(payload)
    writer.finish()
    return out.getvalue()


def _open(sealed: bytes) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(sealed), "b.hmsbak", PASSPHRASE))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4000))
def test_round_trip(payload: bytes) -> None:
    assert _open(_seal(payload)) == payload


@settings(max_examples=80, deadline=None)
@given(st.binary(min_size=1, max_size=2000), st.integers(min_value=0), st.integers(min_value=0, max_value=7))
def test_every_flipped_bit_is_refused(payload: bytes, where: int, bit: int) -> None:
    sealed = bytearray(_seal(payload))
    sealed[where % len(sealed)] ^= 1 << bit
    with pytest.raises(BackupError):
        _open(bytes(sealed))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1))
def test_every_truncation_is_refused(payload: bytes, cut: int) -> None:
    sealed = _seal(payload)
    with pytest.raises(BackupError):
        _open(sealed[: len(sealed) - 1 - (cut % len(sealed))])


def test_wrong_passphrase_is_named() -> None:
    with pytest.raises(BackupError, match="wrong passphrase"):
        b"".join(decrypt_chunks(io.BytesIO(_seal(b"x")), "b.hmsbak", "another passphrase"))
