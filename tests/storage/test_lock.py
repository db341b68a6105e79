"""The folder lock on every OS: one writer, the holder named, stale holders recognised, and a
folder this account may not write opened read-only with the reason (issue 10 item 12)."""

from __future__ import annotations

import errno
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hms_desktop.storage import ReadOnlyError, Store
from hms_desktop.storage import lock as lock_module
from hms_desktop.storage.lock import FolderLock

from .models import THINGS, Thing

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_TRY_TO_WRITE = """
import sys
from datetime import date
from hms_desktop.storage import ReadOnlyError, Store
from tests.storage.models import THINGS, Thing
store = Store(sys.argv[1])
table = store.table(THINGS)
print(store.read_only, len(table), table.get("THG000001").name)
print(store.read_only_reason)
try:
    table.insert(Thing(name="x", born=date(2000, 1, 1)))
except ReadOnlyError as error:
    print("refused:", error)
store.close()
"""


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_holder_is_named_in_a_file_anyone_may_read(data_dir: Path) -> None:
    held = FolderLock(data_dir)
    second = FolderLock(data_dir)
    assert held.acquired and not second.acquired
    holder = json.loads((data_dir / ".lock.holder").read_text())
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    assert f"(process {os.getpid()})" in second.refusal and "read-only" in second.refusal
    held.release()
    assert FolderLock(data_dir).acquired  # released: the next one writes


def test_a_holder_that_died_is_recognised_as_stale_and_the_folder_taken_over(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    dead = _dead_pid()
    (data_dir / ".lock.holder").write_text(json.dumps(
        {"user": "ann", "host": socket.gethostname(), "pid": dead}))
    lock = FolderLock(data_dir)  # the OS dropped the dead process's lock
    assert lock.acquired
    assert lock.stale_holder["pid"] == dead
    assert f"previous session (process {dead}" in caplog.text and "ended without closing" in caplog.text
    lock.release()
    # A clean release is recorded, so the next opener does not report a crash.
    again = FolderLock(data_dir)
    assert again.acquired and again.stale_holder == {}
    again.release()


def test_a_lock_held_for_a_dead_process_says_so(data_dir: Path) -> None:
    """A network share can keep a dead client's lock: the message says what to do."""
    held = FolderLock(data_dir)
    dead = _dead_pid()
    (data_dir / ".lock.holder").write_text(json.dumps(
        {"user": "ann", "host": socket.gethostname(), "pid": dead}))
    second = FolderLock(data_dir)
    assert not second.acquired
    assert f"process {dead}) — that process is no longer running" in second.refusal
    held.release()


def test_read_only_media_opens_read_only_and_says_why(data_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(data_dir)
    store.table(THINGS).insert(Thing(name="Ann", born=date(1980, 5, 17)))
    store.close()
    real_open = os.open

    def read_only_media(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only_media)
    store = Store(data_dir)
    assert store.read_only
    assert "read-only media" in store.read_only_reason and str(data_dir) in store.read_only_reason
    table = store.table(THINGS)
    assert table.get("THG000001").name == "Ann"  # type: ignore[union-attr]
    with pytest.raises(ReadOnlyError, match="read-only media"):
        table.insert(Thing(name="Bob", born=date(1990, 1, 1)))
    store.close()


@pytest.fixture
def folder_of_another_user() -> Iterator[tuple[Path, list[str]]]:
    """A data folder this test's subprocess may read but not write.

    As root, the subprocess runs as ``nobody`` on a root-owned folder (a folder of another
    OS user, exactly); as an ordinary user, the folder is made read-only for its owner.
    """
    base = Path(tempfile.mkdtemp(prefix="hms lock åccents "))
    os.chmod(base, 0o755)
    folder = base / "data"
    folder.mkdir()
    store = Store(folder)
    store.table(THINGS).insert(Thing(name="Ann", born=date(1980, 5, 17)))
    store.close()
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("no 'nobody' account to play another user")
        prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv is not installed")
    else:
        os.chmod(folder, 0o555)
    try:
        yield folder, prefix
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(base)


@pytest.mark.slow
def test_a_folder_of_another_user_opens_read_only_and_says_why(
        folder_of_another_user: tuple[Path, list[str]]) -> None:
    folder, as_other_user = folder_of_another_user
    result = subprocess.run(
        [*as_other_user, sys.executable, "-c", OPEN_AND_TRY_TO_WRITE, str(folder)], cwd=ROOT,
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded, reason, refused = result.stdout.splitlines()
    assert loaded == "True 1 Ann"
    assert "may not write there" in reason and str(folder) in reason
    assert refused.startswith("refused:") and "may not write" in refused


def test_windows_branch_keeps_the_holder_out_of_the_locked_bytes(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows the first 64 KiB of .lock are locked against reading by others, so the
    holder is only in .lock.holder, and files get the default mode (ACLs protect them)."""
    monkeypatch.setattr(sys, "platform", "win32")
    assert lock_module.file_mode() == 0o666
    held = FolderLock(data_dir)
    assert held.acquired
    assert (data_dir / ".lock").read_bytes() == b""
    assert json.loads((data_dir / ".lock.holder").read_text())["pid"] == os.getpid()
    held.release()


def test_posix_branch_keeps_patient_folders_private(data_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert lock_module.file_mode() == 0o600
    held = FolderLock(data_dir)
    assert (data_dir / ".lock.holder").stat().st_mode & 0o077 == 0
    assert json.loads((data_dir / ".lock").read_text())["pid"] == os.getpid()
    held.release()


def test_liveness_check_tells_a_live_process_from_a_dead_one() -> None:
    assert lock_module.process_alive(os.getpid())
    assert not lock_module.process_alive(_dead_pid())
