"""Encryption of backup files: the passphrase is needed to restore, never to back up.

Automatic backups run unattended, yet the passphrase is never stored. So backups are
encrypted to a public key (X25519): when backups are set up, a key pair is made, and its
private half is sealed with a key derived from the passphrase (scrypt) and kept, sealed,
in ``backup.json`` and in every backup file. Restoring asks for the passphrase, unseals
the private key and decrypts. Losing the passphrase loses every backup made with it.

The body is a stream of AES-256-GCM chunks; each chunk's associated data binds the file
header, its index and whether it is the last one, so a flipped byte, a reordered chunk or
a truncated file is refused, never restored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"HMS-DESKTOP-BACKUP 1\n"
CHUNK = 1 << 20
# scrypt cost: ~0.3 s and 128 MiB once per restore or set-up; a guess costs an attacker the same.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 17, 8, 1
MIN_PASSPHRASE = 8
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class BackupError(ValueError):
    """A backup cannot be made, read or trusted; the message says which file and why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise BackupError("the backup header is damaged")
    return base64.b64decode(text)


@dataclass(frozen=True)
class BackupKey:
    """The public key backups are encrypted to, and its private key sealed by the passphrase."""

    public: bytes
    sealed: dict[str, Any]  # scrypt salt and cost, AES-GCM nonce and ciphertext

    def to_json(self) -> dict[str, Any]:
        return {"public": _b64(self.public), "sealed": self.sealed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackupKey:
        return cls(_unb64(data.get("public")), dict(data.get("sealed") or {}))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")


def create_key(passphrase: str, *, scrypt_n: int = SCRYPT_N) -> BackupKey:
    check_passphrase(passphrase)
    private = X25519PrivateKey.generate()
    salt, nonce = os.urandom(16), os.urandom(12)
    wrap = _derive(passphrase, salt, scrypt_n, SCRYPT_R, SCRYPT_P)
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    sealed = {"kdf": "scrypt", "n": scrypt_n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt),
              "nonce": _b64(nonce), "key": _b64(AESGCM(wrap).encrypt(nonce, raw, b"hms-backup-key"))}
    return BackupKey(private.public_key().public_bytes(*_RAW), sealed)


def unseal(key: BackupKey, passphrase: str) -> X25519PrivateKey:
    s = key.sealed
    try:
        wrap = _derive(passphrase, _unb64(s.get("salt")), int(s["n"]), int(s["r"]), int(s["p"]))
        raw = AESGCM(wrap).decrypt(_unb64(s.get("nonce")), _unb64(s.get("key")), b"hms-backup-key")
    except InvalidTag:
        raise BackupError("wrong passphrase: this backup was made with another passphrase") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"the backup header is damaged ({exc})") from None
    return X25519PrivateKey.from_private_bytes(raw)


def passphrase_matches(key: BackupKey, passphrase: str) -> bool:
    try:
        unseal(key, passphrase)
    except BackupError:
        return False
    return True


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _content_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, None, b"hms-backup-content" + ephemeral + recipient).derive(shared)


def _aad(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + struct.pack(">QB", index, last)


class EncryptingWriter:
    """A write-only stream (enough for ``zipfile``) that encrypts what it is given into ``out``."""

    def __init__(self, out: IO[bytes], key: BackupKey, info: dict[str, Any]) -> None:
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = ephemeral.public_key().public_bytes(*_RAW)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(key.public))
        self._aes = AESGCM(_content_key(shared, ephemeral_public, key.public))
        header = json.dumps({**info, "encryption": "x25519-hkdf-aes256gcm", "chunk": CHUNK,
                             "ephemeral": _b64(ephemeral_public), "key": key.to_json()},
                            sort_keys=True).encode()
        self._digest = hashlib.sha256(header).digest()
        out.write(MAGIC + header + b"\n" + hashlib.sha256(header).hexdigest().encode() + b"\n")
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        self._position = 0

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._position += len(data)
        while len(self._buffer) >= CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing to do: chunks are written whole; ``finish`` writes the last one."""

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.flush()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = struct.pack(">4xQ", self._index)  # unique: one fresh key per file
        sealed = self._aes.encrypt(nonce, plain, _aad(self._digest, self._index, last))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


def read_header(handle: IO[bytes], name: str) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{name} is not an HMS Desktop backup (or its first bytes are damaged)")
    header = handle.readline(1 << 20).rstrip(b"\n")
    digest = handle.readline(100).rstrip(b"\n")
    if hashlib.sha256(header).hexdigest().encode() != digest:
        raise BackupError(f"{name}: the backup header is damaged (its checksum does not match)")
    return json.loads(header), hashlib.sha256(header).digest()


def decrypt_chunks(handle: IO[bytes], name: str, passphrase: str) -> Iterator[bytes]:
    """The plain bytes of an encrypted backup; raises BackupError at the first bad chunk."""
    header, digest = read_header(handle, name)
    try:
        key = BackupKey.from_json(header["key"])
        ephemeral = _unb64(header["ephemeral"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{name}: the backup header is damaged ({exc})") from None
    private = unseal(key, passphrase)
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    aes = AESGCM(_content_key(shared, ephemeral, key.public))
    index = 0
    while True:
        offset = handle.tell()
        length_bytes = handle.read(4)
        if len(length_bytes) < 4:
            raise BackupError(f"{name} is incomplete: it ends at byte {offset} before its last part "
                              "(truncated, e.g. a copy that did not finish)")
        (length,) = struct.unpack(">I", length_bytes)
        sealed = handle.read(length)
        if len(sealed) < length:
            raise BackupError(f"{name} is incomplete: it ends inside the part at byte {offset} (truncated)")
        nonce = struct.pack(">4xQ", index)
        for last in (False, True):
            try:
                plain = aes.decrypt(nonce, sealed, _aad(digest, index, last))
                break
            except InvalidTag:
                continue
        else:
            raise BackupError(f"{name} is damaged at byte {offset}: the part there fails its "
                              "authentication check (a changed byte); nothing was restored")
        yield plain
        index += 1
        if last:
            if handle.read(1):
                raise BackupError(f"{name} has unexpected bytes after its last part")
            return
