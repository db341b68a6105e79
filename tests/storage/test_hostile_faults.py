"""Faults: a crash mid-append in a day file, a full disk, left-over temporary files, fsync
order (seen with strace) and file permissions, on a real demo folder and real processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hms_desktop.domain.monitoring import VitalsRow
from hms_desktop.storage import INTERRUPTED, Store
from hms_desktop.storage import store as store_module

from .hostile import check, opened
from .models import THINGS

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_a_torn_last_line_of_a_vitals_day_file_is_a_crash_note_not_a_problem(demo: Path) -> None:
    day_file = sorted((demo / "vitals").glob("*.csv"))[-1]
    with open(day_file, "ab") as handle:
        handle.write(b"2026-12-03T10:00:00+00:00,BED0")  # the power went here
    code, out = check(demo)
    assert code == 0, out
    assert f"note: {day_file}:" in out and "interrupted by a crash" in out
    with opened(demo) as session:  # the app appends the next batch after it
        vitals = session.store.day_log("vitals", VitalsRow)
        row = vitals.read(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))[-1]
        at = datetime.fromisoformat(day_file.stem + "T23:59:59+00:00")
        vitals.append([row.model_copy(update={"at": at})])
        assert all(q.reason in INTERRUPTED for q in session.store.quarantine)
    code, out = check(demo)
    assert code == 0, out
    assert b"BED0\n" not in day_file.read_bytes()  # cut off, never glued to the next line


FULL_DISK = """
import resource, signal, sys
from datetime import date
from hms_desktop.storage import Store
from tests.storage.models import THINGS, Thing
store = Store(sys.argv[1], checkpoint_every=5)
table = store.table(THINGS)
table.insert_many([Thing(name=f"row {n}", born=date(2000, 1, 1), note="x" * 200) for n in range(100)])
store.checkpoint()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, as a full disk gives ENOSPC
limit = table.path.stat().st_size - 50  # the journal fits, a second copy of the table does not
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
for n in range(12):
    print(table.insert(Thing(name=f"saved {n}", born=date(2000, 1, 1))).id, flush=True)
print("problem:", table.checkpoint_problem, flush=True)
store.close()
print("closed", flush=True)
"""


def test_a_full_disk_during_a_checkpoint_never_turns_a_saved_record_into_an_error(data_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(data_dir)], cwd=ROOT, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    saved = lines[:12]
    assert all(re.fullmatch(r"THG\d{6}", i) for i in saved), result.stdout  # every save said "saved"
    assert "could not be rewritten" in lines[12] and "safe in the journal" in lines[12]
    assert lines[13] == "closed"  # closing did not fail either
    assert not list(data_dir.glob("*.tmp"))  # no half copy left to fill the disk further
    store = Store(data_dir)
    table = store.table(THINGS)
    assert all(i in table for i in saved) and len(table) == 112
    store.close()


def test_stale_temporary_files_are_removed_at_open_and_named(demo: Path) -> None:
    stale = demo / "patients.csv.tmp"
    stale.write_bytes(b"x" * 131_072)
    code, out = check(demo)  # read-only: only says so
    assert code == 0 and f"note: {stale}: an unfinished temporary file" in out and stale.exists()
    with opened(demo) as session:
        assert not stale.exists()
        assert any("patients.csv.tmp: removed" in note for note in session.store.notes)


def test_the_status_bar_warning_appears_when_free_space_is_low(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(demo) as session:
        assert session.store.free_space_warning() == ""
        free = shutil.disk_usage(demo).free
        monkeypatch.setattr(store_module, "FREE_SPACE_FLOOR", free * 2)  # as if the disk were nearly full
        assert session.store.free_space_warning().startswith("Low disk space:")


UMASK_0 = """
import os, sys
from datetime import UTC, date, datetime
os.umask(0)
from hms_desktop.storage import Store
from tests.storage.models import THINGS, Sample, Thing
store = Store(sys.argv[1], checkpoint_every=2)
store.table(THINGS).insert(Thing(name="a", born=date(2000, 1, 1)))
store.table(THINGS).insert(Thing(name="b", born=date(2000, 1, 1)))
store.table(THINGS).insert(Thing(name="=c", born=date(2000, 1, 1)))
store.day_log("samples", Sample).append([Sample(at=datetime(2026, 1, 1, tzinfo=UTC), bed="B1")])
store.close()
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_patient_data_is_private_whatever_the_umask_and_check_warns_about_an_open_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    subprocess.run([sys.executable, "-c", UMASK_0, str(folder)], cwd=ROOT, env=ENV, check=True, timeout=60)
    modes = {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in [folder, *folder.rglob("*")] if p.name != ".lock"}
    assert modes["."] == 0o700 and modes["history"] == 0o700 and modes["samples"] == 0o700
    assert {m for name, m in modes.items() if "." in name[1:] or name.endswith(".csv")} == {0o600}, modes
    code, out = check(folder)
    assert code == 0 and "warning" not in out
    folder.chmod(0o755)
    code, out = check(folder)
    assert code == 0 and f"warning: {folder}: readable by other users of this computer (mode 0755)" in out


FIRST_BATCH = """
import sys
from datetime import UTC, datetime
from hms_desktop.storage import Store
from tests.storage.models import Sample
store = Store(sys.argv[1], read_only=False)
store.day_log("vitals", Sample).append([Sample(at=datetime(2026, 1, 1, tzinfo=UTC), bed="B1")])
sys.stdout.write("ACKNOWLEDGED\\n"); sys.stdout.flush()
store.close()
"""


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_a_new_day_folder_and_file_are_fsynced_in_their_parent_before_the_batch_is_acknowledged(
        data_dir: Path, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    result = subprocess.run(["strace", "-f", "-qq", "-e", "trace=mkdir,mkdirat,openat,open,fsync,write", "-o",
                             str(trace), sys.executable, "-c", FIRST_BATCH, str(data_dir)],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "ptrace" in result.stderr:
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    calls = trace.read_text().splitlines()
    ack = next(i for i, c in enumerate(calls) if "ACKNOWLEDGED" in c)

    def fsynced_after(index: int, folder: Path) -> bool:
        """An fd opened on ``folder`` after ``index`` and fsynced before the acknowledgement."""
        for i in range(index, ack):
            opened_fd = re.search(rf'open(?:at)?\(.*"{re.escape(str(folder))}", O_RDONLY[^)]*\) = (\d+)', calls[i])
            if opened_fd and any(re.search(rf"fsync\({opened_fd.group(1)}\)", c) for c in calls[i:ack]):
                return True
        return False

    made = next(i for i, c in enumerate(calls) if re.search(rf'mkdir(?:at)?\(.*"{re.escape(str(data_dir / "vitals"))}"', c))
    created = next(i for i, c in enumerate(calls) if "2026-01-01.csv" in c and "O_CREAT" in c)
    assert fsynced_after(made, data_dir), "the new vitals/ folder was acknowledged before its parent's fsync"
    assert fsynced_after(created, data_dir / "vitals"), "the new day file was acknowledged before vitals/ was fsynced"


RESERVE_ON_FULL_DISK = """
import json, os, resource, signal, sys
from datetime import date
from hms_desktop.storage import Store
from tests.storage.models import THINGS, Thing
store = Store(sys.argv[1])
table = store.table(THINGS)
table.insert_many([Thing(name=f"n{k}", born=date(2000, 1, 1)) for k in range(100)])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
manifest = os.path.join(sys.argv[1], "manifest.json")
resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(manifest) - 10, resource.RLIM_INFINITY))
try:
    table.insert_many([Thing(name=f"m{k}", born=date(2000, 1, 1)) for k in range(150)])
except OSError:
    print("refused", len(table), flush=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
saved = table.insert_many([Thing(name=f"k{k}", born=date(2000, 1, 1)) for k in range(150)])
print(saved[-1].id, flush=True)
os._exit(0)  # killed: no close to tidy the manifest up
"""


def test_ids_reserved_by_a_manifest_write_that_failed_are_reserved_again(data_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-c", RESERVE_ON_FULL_DISK, str(data_dir)], cwd=ROOT, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("refused 100"), result.stdout + result.stderr  # nothing half-saved
    last_id = result.stdout.split()[-1]
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8-sig"))
    assert manifest["tables"]["things"]["highest_id"] >= int(last_id[3:]), manifest["tables"]["things"]
