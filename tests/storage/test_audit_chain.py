"""The tamper-evident audit chain, on a folder the application's own services wrote.

Each test edits, deletes, inserts, reorders, truncates or removes something on disk the way a
person with a text editor would, then runs ``verify`` and expects the file and line it names.
The expected line numbers are where the test tampered, counted in the file (line 1 is the
header), not taken from the implementation.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.__main__ import main as cli_main
from hms_desktop.domain.accounts import Role, SignedInUser
from hms_desktop.domain.monitoring import VitalsRow
from hms_desktop.domain.patient import Patient
from hms_desktop.services.session import close_session, open_session
from hms_desktop.storage import Store

ROOT = Path(__file__).resolve().parents[2]
CLINICIAN = SignedInUser("ann", "Dr Ann Smith", frozenset({Role.CLINICIAN}))
TODAY = datetime.now(UTC).date().isoformat()


GIVEN = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Tony", "Niklaus", "Radia",
         "Leslie", "Margaret", "Dennis", "Ken", "Sophie", "Guido", "Hedy", "Claude", "Katherine", "Karen",
         "Bjarne")
FAMILY = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Hoare", "Wirth",
          "Perlman", "Lamport", "Hamilton", "Ritchie", "Thompson", "Wilson", "Rossum", "Lamarr", "Shannon",
          "Johnson", "Jones", "Stroustrup")


def _register(services: object, k: int) -> str:
    patient = Patient(given_name=GIVEN[k], family_name=FAMILY[k], date_of_birth=date(1940 + k, 1 + k % 12, 1 + k))
    return str(services.patients.register(patient).id)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def written_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Patients registered and opened by a clinician (journal, access log), a checkpoint
    (history), more changes after it (a new journal) and a minute of vitals (a day file)."""
    folder = tmp_path_factory.mktemp("audit") / "data"
    session = open_session(folder)
    session.sign_in(CLINICIAN)
    services = session.services
    ids = [_register(services, k) for k in range(6)]
    for patient_id in ids[:4]:
        services.patients.note_opened(patient_id)
    services.patients.update(ids[0], {"address": "1 Analytical Road"})
    session.store.checkpoint()  # the journals move into history/
    for k in range(6, 10):
        _register(services, k)
    services.patients.update(ids[1], {"address": "2 Difference Lane"})
    vitals = session.store.day_log("vitals", VitalsRow)
    start = datetime.now(UTC).replace(microsecond=0)
    for second in range(6):
        vitals.append([VitalsRow(at=start + timedelta(seconds=second), patient_id=ids[0], bed_id="BED01",
                                 session_id="S1", spo2=97, pulse_rate=70 + second)])
    _close_keeping_the_journal(session.store)
    return folder


def _close_keeping_the_journal(store: Store) -> None:
    """Close as a process that ends without the exit checkpoint would (a power cut after the
    last save): the live journal stays, so the tests can tamper with it too."""
    for table in store.tables():
        table.close_files()
    store._tables.clear()  # so close() has no table left to checkpoint
    store.close()


@pytest.fixture
def folder(written_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "clinic data"
    shutil.copytree(written_template, copy)
    return copy


def verify(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli_main(["verify", "--data-dir", str(folder)])
    out = capsys.readouterr()
    return code, out.out + out.err


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def history_file(folder: Path) -> Path:
    return next((folder / "history").glob("patients.*.journal.csv"))


def test_an_untouched_folder_verifies_clean(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(folder, capsys)
    assert code == 0, out
    assert "intact" in out
    # what the chain covers: journals, history, the access log and day files
    assert (folder / f"access/{TODAY}.csv").exists() and (folder / f"vitals/{TODAY}.csv").exists()
    assert (folder / "patients.journal.csv").exists() and history_file(folder).exists()


def test_an_edited_history_line_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = history_file(folder)
    lines = lines_of(path)
    assert b"Alan" in lines[3]
    lines[3] = lines[3].replace(b"Alan", b"Alam")  # one letter, as a person would fix a "typo"
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"history/{path.name}:4: edited" in out


def test_a_deleted_access_log_line_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / f"access/{TODAY}.csv"
    lines = lines_of(path)
    assert b"opened record" in lines[2]
    del lines[2]  # hide that someone opened a record
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"access/{TODAY}.csv:3: deleted" in out


def test_an_inserted_journal_line_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "patients.journal.csv"
    lines = lines_of(path)
    lines.insert(2, lines[1].replace(b"Frances", b"Forged"))  # a plausible line, even a valid checksum
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1
    assert "patients.journal.csv:3: inserted" in out


def test_reordered_day_file_lines_are_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / f"vitals/{TODAY}.csv"
    lines = lines_of(path)
    lines[3], lines[4] = lines[4], lines[3]
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"vitals/{TODAY}.csv:4: reordered" in out


def test_a_truncated_journal_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "patients.journal.csv"
    lines = lines_of(path)
    write_lines(path, lines[:3])  # the last changes cut off
    code, out = verify(folder, capsys)
    assert code == 1
    assert "patients.journal.csv:4: truncated" in out


def test_a_deleted_file_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / f"access/{TODAY}.csv").unlink()
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"access/{TODAY}.csv: deleted" in out


def test_a_file_deleted_and_started_afresh_by_the_app_is_named(folder: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (folder / f"access/{TODAY}.csv").unlink()
    session = open_session(folder)
    session.sign_in(CLINICIAN)
    session.services.patients.note_opened("PAT000001")
    close_session(session)
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"access/{TODAY}.csv:1: the file was deleted and started afresh" in out


def test_an_edited_chain_entry_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / f"audit/{TODAY}.csv"
    lines = lines_of(path)
    cells = lines[4].split(b",")
    cells[1] = cells[1].replace(TODAY.encode(), b"2001-01-01")  # back-date one entry
    lines[4] = b",".join(cells)
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1
    assert f"audit/{TODAY}.csv:5: entry 4 was changed" in out


def test_a_chain_cut_short_is_caught_by_the_manifest_anchor(folder: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / f"audit/{TODAY}.csv"
    write_lines(path, lines_of(path)[:-6])  # the last entries, and the lines they cover, unaccounted for
    code, out = verify(folder, capsys)
    assert code == 1
    assert "audit/: cut short: manifest.json anchors entry" in out


def test_checkpoints_and_reopening_keep_the_chain_whole(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for k in (19, 20):
        session = open_session(folder)
        session.sign_in(CLINICIAN)
        _register(session.services, k)
        session.store.checkpoint()
        session.services.patients.note_opened("PAT000002")
        close_session(session)  # checkpoints again
    assert len(list((folder / "history").glob("patients.*.journal.csv"))) >= 3
    code, out = verify(folder, capsys)
    assert code == 0, out


def test_a_folder_from_before_the_chain_is_adopted_and_says_since_when(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(folder / "audit")  # as written by a version without the chain
    code, out = verify(folder, capsys)
    assert code == 1 and "no audit chain" in out
    Store(folder).close()  # opening upgrades it
    code, out = verify(folder, capsys)
    assert code == 0, out
    assert "the audit chain holds from" in out
    path = history_file(folder)
    lines = lines_of(path)
    lines[2] = lines[2].replace(b"Grace", b"Gracie")
    write_lines(path, lines)
    code, out = verify(folder, capsys)
    assert code == 1 and f"history/{path.name}:3: edited" in out


def test_check_includes_the_chain(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / f"vitals/{TODAY}.csv"
    lines = lines_of(path)
    del lines[-1]  # the last line: its checksum is intact, only the chain knows
    write_lines(path, lines)
    assert cli_main(["check", "--data-dir", str(folder)]) == 1
    assert f"{folder / 'vitals' / TODAY}.csv:{len(lines) + 1}: truncated" in capsys.readouterr().out


@pytest.mark.slow
def test_verify_as_a_command_exits_by_the_chain(folder: Path) -> None:
    command = [sys.executable, "-m", "hms_desktop", "verify", "--data-dir", str(folder)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    path = folder / "patients.journal.csv"
    path.write_bytes(path.read_bytes().replace(b"Difference Lane", b"Difference Lame"))
    broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert "patients.journal.csv:" in broken.stdout and ": edited" in broken.stdout






def test_repair_accepts_the_files_as_they_are_and_the_chain_says_who(folder: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = history_file(folder)
    lines = lines_of(path)
    del lines[2]
    write_lines(path, lines)
    assert verify(folder, capsys)[0] == 1
    # The folder has no accounts: nobody can sign in, so the OS user is recorded (cli/repair.py).
    assert cli_main(["repair", "--data-dir", str(folder), "--yes"]) == 0
    assert f"history/{path.name}:3: deleted" in capsys.readouterr().out  # listed before it is accepted
    code, out = verify(folder, capsys)
    assert code == 0, out
    assert f"history/{path.name}: accepted as it was on" in out and f"Repair confirmed by {getpass.getuser()}" in out
    lines[1] = lines[1].replace(b"Ada", b"Eve")  # what was accepted is held from then on
    write_lines(path, lines)
    assert f"history/{path.name}:2: edited" in verify(folder, capsys)[1]


def test_a_line_edited_and_the_chain_recomputed_is_caught_by_the_manifest_anchor(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Someone who edits a line, puts its new digest into the chain and recomputes every
    later hash (the chain has no key) still leaves the manifest's record of the last hash."""
    path = folder / f"access/{TODAY}.csv"
    lines = lines_of(path)
    old = hashlib.sha256(lines[2]).hexdigest()[:16]
    lines[2] = lines[2].replace(b"opened record", b"printed")
    write_lines(path, lines)
    new = hashlib.sha256(lines[2]).hexdigest()[:16]
    chain = folder / f"audit/{TODAY}.csv"
    rows = list(csv.reader(chain.read_text(encoding="utf-8-sig").splitlines()))
    previous = "0" * 64
    for row in rows[1:]:
        row[4] = row[4].replace(old, new)
        row[5] = hashlib.sha256("\x1f".join([previous, *row[:5]]).encode()).hexdigest()  # docs/storage.md
        previous = row[5]
    with open(chain, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    code, out = verify(folder, capsys)
    assert code == 1
    assert "is not the one manifest.json anchored (the chain was rewritten)" in out
    assert f"access/{TODAY}.csv" not in out  # the file itself now matches the forged chain


def test_adopting_a_folder_is_all_or_nothing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first start of an upgraded folder writes its chain aside and renames it into place:
    a start killed half-way leaves only the unfinished copy, and the next start begins again."""
    shutil.rmtree(folder / "audit")
    (folder / "audit").mkdir()
    unfinished = folder / f"audit/{TODAY}.csv.tmp"
    unfinished.write_text("n,at,event,file,detail,chain\n1,x,start,,cut here", encoding="utf-8")
    Store(folder).close()
    assert not unfinished.exists()
    code, out = verify(folder, capsys)
    assert code == 0, out
    assert "the audit chain holds from" in out
