"""A consistent copy of a data folder taken while the app keeps running.

Call ``take_snapshot`` where no write can interleave: on the single background writer (the
app), or while holding the folder lock (the command line). It lists every data file and
its size at that instant and opens each one, which fixes what the backup contains:

- journals and day files are append-only, so their first ``size`` bytes never change;
- checkpoints, ``manifest.json`` and ``settings.json`` are replaced by rename and
  journals are moved into ``history/`` by rename, and an open handle keeps reading the
  file it opened (POSIX keeps the old inode alive).

Windows refuses to rename a file another handle has open (a checkpoint would fail), so
there the files are copied into a private temporary folder while the writer waits: writes
are held up for that copy, the window never is.

The copy is then read off the writer (``Snapshot.chunks``), so the next write waits
only for the listing, not for the compression and encryption of the backup.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .rows_cache import CACHE_DIR

# Not data: the lock and its holder belong to the running program; *.tmp are half-written
# replacements that a restart removes; .cache/ is derived from the tables and disposable.
_SKIPPED_NAMES = {".lock", ".lock.holder"}
_SKIPPED_SUFFIXES = (".tmp",)
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class SnapshotFile:
    name: str  # relative to the data folder, "/"-separated on every OS
    size: int


@dataclass
class Snapshot:
    """The files of a data folder at one point; read them with ``chunks``; then ``close``."""

    data_dir: Path
    files: list[SnapshotFile]
    _handles: dict[str, IO[bytes]] = field(default_factory=dict)
    _copy_dir: Path | None = None
    _owned_dirs: list[Path] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def chunks(self, entry: SnapshotFile) -> Iterator[bytes]:
        """The file's bytes as they were at the snapshot point (exactly ``entry.size``)."""
        handle = self._handles[entry.name]
        handle.seek(0)
        left = entry.size
        while left > 0:
            block = handle.read(min(CHUNK, left))
            if not block:
                raise OSError(f"{self.data_dir / entry.name} is shorter than it was at the snapshot "
                              f"({entry.size} bytes): was it truncated by hand?")
            left -= len(block)
            yield block

    def remove_on_close(self, folder: Path) -> None:
        """``folder`` (e.g. a server clinic exported for this backup) goes when the snapshot does."""
        self._owned_dirs.append(Path(folder))

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        if self._copy_dir is not None:
            shutil.rmtree(self._copy_dir, ignore_errors=True)
            self._copy_dir = None
        for folder in self._owned_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        self._owned_dirs.clear()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def needs_private_copy() -> bool:
    """Windows cannot rename a file that is open elsewhere (see the module docstring)."""
    return sys.platform == "win32"


def data_files(data_dir: Path, *, exclude: tuple[str, ...] = ()) -> list[Path]:
    """Every file of the folder that belongs in a backup, in a stable order."""
    found = []
    for path in sorted(Path(data_dir).rglob("*")):
        rel = path.relative_to(data_dir)
        if rel.parts[0] in exclude or rel.parts[0] == CACHE_DIR or not path.is_file():
            continue
        if path.name in _SKIPPED_NAMES or path.name.endswith(_SKIPPED_SUFFIXES):
            continue
        found.append(path)
    return found


def take_snapshot(data_dir: Path, *, exclude: tuple[str, ...] = ()) -> Snapshot:
    """List and open every data file now; run it where no write can interleave."""
    data_dir = Path(data_dir)
    snapshot = Snapshot(data_dir, [])
    copy_dir = Path(tempfile.mkdtemp(prefix="hms-snapshot-")) if needs_private_copy() else None
    snapshot._copy_dir = copy_dir
    try:
        for path in data_files(data_dir, exclude=exclude):
            name = path.relative_to(data_dir).as_posix()
            handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 (closed by Snapshot.close)
            size = os.fstat(handle.fileno()).st_size
            if copy_dir is not None:
                handle = _private_copy(handle, copy_dir / f"{len(snapshot.files)}", size)
            snapshot._handles[name] = handle
            snapshot.files.append(SnapshotFile(name, size))
    except BaseException:
        snapshot.close()
        raise
    return snapshot


def _private_copy(handle: IO[bytes], target: Path, size: int) -> IO[bytes]:
    with handle, open(target, "wb") as out:
        shutil.copyfileobj(handle, out, CHUNK)
        out.truncate(size)  # bytes appended after fstat are not part of the snapshot
    return open(target, "rb")
