"""One backup file: a zip of the data folder's snapshot with a manifest of sizes and SHA-256.

An encrypted backup (``.hmsbak``, the default) is that zip sealed by ``crypto``; an
unencrypted one (only by explicit choice) is the plain ``.zip``, which any unzip tool
opens. Reading always verifies every file against the manifest before anything is
written anywhere (``verified_backup``), and restoring writes into a hidden staging
folder that becomes the target only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from hms_desktop.storage.lock import FolderLock, file_mode
from hms_desktop.storage.snapshot import Snapshot

from .crypto import MAGIC, BackupError, BackupKey, EncryptingWriter, decrypt_chunks

ProgressFn = Callable[[str, float], None]
MANIFEST = "backup-manifest.json"
DATA_PREFIX = "data/"
ENCRYPTED_SUFFIX = ".hmsbak"
PLAIN_SUFFIX = ".zip"
FORMAT = "hms-desktop-backup"
# A plain zip's own CRCs miss a changed byte in its headers, so its comment ends with the
# SHA-256 of the whole file (computed with these 64 characters as zeros).
SEAL_PREFIX = b"HMS-DESKTOP-SHA256:"
_SEAL_ZEROS = b"0" * 64
# zlib level 1: CSV shrinks ~4x already; higher levels cost seconds at 100,000 patients.
_LEVEL = 1


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes of the backup file
    files: int
    data_bytes: int


def write_backup(snapshot: Snapshot, target: Path, *, key: BackupKey | None,
                 info: dict[str, Any] | None = None, progress: ProgressFn | None = None) -> BackupResult:
    """Write ``snapshot`` to ``target`` atomically (a crash leaves no half backup under that name)."""
    report = progress or (lambda _s, _f: None)
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    total = max(snapshot.total_bytes, 1)
    done = 0
    entries = []
    try:
        with open(partial, "wb") as out:
            sink: Any = EncryptingWriter(out, key, {"format": FORMAT}) if key is not None else out
            with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as archive:
                for entry in snapshot.files:
                    report(f"Backing up {entry.name}", done / total)
                    digest = hashlib.sha256()
                    with archive.open(DATA_PREFIX + entry.name, "w", force_zip64=True) as member:
                        for block in snapshot.chunks(entry):
                            digest.update(block)
                            member.write(block)
                    done += entry.size
                    entries.append({"name": entry.name, "size": entry.size, "sha256": digest.hexdigest()})
                manifest = {"format": FORMAT, "version": 1, "encrypted": key is not None,
                            "created": datetime.now(UTC).isoformat(timespec="seconds"),
                            "source": str(snapshot.data_dir), **(info or {}), "files": entries}
                archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
                if key is None:
                    archive.comment = SEAL_PREFIX + _SEAL_ZEROS
            if key is not None:
                sink.finish()
            out.flush()
        if key is None:
            _seal(partial)
        with open(partial, "rb+") as synced:
            os.fsync(synced.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    report("Backup written", 1.0)
    return BackupResult(target, target.stat().st_size, len(entries), snapshot.total_bytes)


def _whole_file_digest(path: Path) -> bytes:
    """SHA-256 of the file with its last 64 bytes (where the seal goes) read as zeros."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        left = size - len(_SEAL_ZEROS)
        while left > 0:
            block = handle.read(min(1 << 20, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    digest.update(_SEAL_ZEROS)
    return digest.hexdigest().encode()


def _seal(path: Path) -> None:
    seal = _whole_file_digest(path)
    with open(path, "rb+") as handle:
        handle.seek(-len(_SEAL_ZEROS), os.SEEK_END)
        handle.write(seal)


def _check_seal(path: Path) -> None:
    with open(path, "rb") as handle:
        handle.seek(max(path.stat().st_size - len(SEAL_PREFIX) - 64, 0))
        tail = handle.read()
    if not tail.startswith(SEAL_PREFIX):
        raise BackupError(f"{path} is incomplete or damaged: its closing checksum is missing "
                          "(truncated?); nothing was restored")
    if tail[len(SEAL_PREFIX):] != _whole_file_digest(path):
        raise BackupError(f"{path} is damaged: its bytes do not match the checksum it was sealed "
                          "with (a changed byte); nothing was restored")


@dataclass
class VerifiedBackup:
    """An open backup whose every file matched its size and SHA-256 (see ``verified_backup``)."""

    path: Path
    manifest: dict[str, Any]
    archive: zipfile.ZipFile

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.manifest["files"])

    @property
    def created(self) -> str:
        return str(self.manifest.get("created", "?"))


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


@contextlib.contextmanager
def verified_backup(path: Path, passphrase: str | None = None,
                    progress: ProgressFn | None = None) -> Iterator[VerifiedBackup]:
    """Open ``path``, decrypt it (into a private temporary file) and check every file.

    Raises BackupError with a sentence for the user at the first thing that is wrong.
    """
    path = Path(path)
    report = progress or (lambda _s, _f: None)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    with tempfile.TemporaryDirectory(prefix="hms-verify-") as scratch:
        zip_path = path
        if not is_encrypted(path):
            _check_seal(path)
        else:
            if not passphrase:
                raise BackupError(f"{path} is encrypted: its passphrase is needed")
            zip_path = Path(scratch) / "backup.zip"
            report("Decrypting", 0.0)
            with open(path, "rb") as handle, open(zip_path, "wb") as out:
                for block in decrypt_chunks(handle, str(path), passphrase):
                    out.write(block)
        try:
            with zipfile.ZipFile(zip_path) as archive:
                manifest = _manifest(archive, path)
                _check_every_file(archive, manifest, path, report)
                yield VerifiedBackup(path, manifest, archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            raise BackupError(f"{path} is damaged or incomplete ({exc}); nothing was restored") from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{path} has no {MANIFEST}: not an HMS Desktop backup") from None
    except ValueError as exc:
        raise BackupError(f"{path}: {MANIFEST} is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(
            manifest.get("files"), list):
        raise BackupError(f"{path}: {MANIFEST} is not an HMS Desktop backup manifest")
    for entry in manifest["files"]:
        safe_member_name(str(entry.get("name", "")), path)
    return manifest


def safe_member_name(name: str, path: Path) -> str:
    """Refuse names that would land outside the restore folder on any OS (zip slip)."""
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if (not name or "\\" in name or posix.is_absolute() or windows.is_absolute() or windows.drive
            or ".." in posix.parts or ":" in name):
        raise BackupError(f"{path}: refuses the unsafe file name {name!r} in its manifest")
    return name


def _check_every_file(archive: zipfile.ZipFile, manifest: dict[str, Any], path: Path,
                      report: ProgressFn) -> None:
    listed = {DATA_PREFIX + str(entry["name"]) for entry in manifest["files"]}
    extra = sorted(set(archive.namelist()) - listed - {MANIFEST})
    if extra:
        raise BackupError(f"{path} holds {extra[0]}, which its manifest does not list")
    total = max(sum(int(entry["size"]) for entry in manifest["files"]), 1)
    done = 0
    for entry in manifest["files"]:
        name = str(entry["name"])
        report(f"Verifying {name}", done / total)
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(DATA_PREFIX + name) as member:
                while block := member.read(1 << 20):
                    digest.update(block)
                    size += len(block)
        except KeyError:
            raise BackupError(f"{path}: {name} is listed in the manifest but missing") from None
        if size != int(entry["size"]) or digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{path}: {name} does not match its checksum (damaged); nothing was restored")
        done += size


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    files: int
    kept_copy: Path | None  # where the folder that was replaced now is


def restore_backup(path: Path, target: Path, passphrase: str | None = None, *, replace: bool = False,
                   progress: ProgressFn | None = None) -> RestoreResult:
    """Verify ``path`` completely, then restore it into ``target``.

    ``target`` must be new or empty unless ``replace``; then the current folder is kept
    beside it (``<name>-before-restore-<time>``) and it must not be open in a running app.
    """
    target = Path(target).resolve()
    occupied = target.exists() and any(target.iterdir())
    if occupied and not replace:
        raise BackupError(f"{target} is not empty: restore into a new folder, or confirm replacing it "
                          "(a copy of the current folder is kept)")
    with verified_backup(path, passphrase, progress) as backup:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
        try:
            _extract(backup, staging, progress)
            kept = _swap_into_place(staging, target, occupied)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return RestoreResult(target, len(backup.files), kept)


def _extract(backup: VerifiedBackup, staging: Path, progress: ProgressFn | None) -> None:
    report = progress or (lambda _s, _f: None)
    for n, entry in enumerate(backup.files):
        name = str(entry["name"])
        report(f"Restoring {name}", n / max(len(backup.files), 1))
        out_path = staging.joinpath(*name.split("/"))
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                     file_mode())
        with backup.archive.open(DATA_PREFIX + name) as member, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(member, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
    if os.name == "posix":
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(folder, 0o700)


def _swap_into_place(staging: Path, target: Path, occupied: bool) -> Path | None:
    kept: Path | None = None
    if occupied:
        lock = FolderLock(target)
        if not lock.acquired:
            raise BackupError(f"{target} cannot be replaced: {lock.refusal}")
        lock.release()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.name}-before-restore-{stamp}")
        os.replace(target, kept)
    elif target.exists():
        target.rmdir()  # empty: make room for the rename
    os.replace(staging, target)
    return kept

