"""Files a person edited: spreadsheet re-saves, other encodings, changed headers, formulas.

Each case edits a real demo folder's files the way a clinic does and asserts what the user
sees: the folder opens (read-only while a file is not what was saved), the file and line are
named with what to do, nothing typed is lost by a rewrite, and Repair records who accepted it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hms_desktop.domain.patient import Patient
from hms_desktop.storage import ReadOnlyError
from hms_desktop.storage.patients import PATIENTS

from .hostile import DEMO_PATIENTS, check, crash, manifest, opened, repair, run


def patient(given: str, family: str = "Okafor") -> Patient:
    return Patient(given_name=given, family_name=family, date_of_birth=date(1961, 3, 4))


def edit_lines(path: Path, change: dict[int, tuple[str, str]]) -> list[str]:
    """Replace text on given (1-based) lines, keeping every other byte as it was."""
    lines = path.read_bytes().decode("utf-8-sig").split("\n")
    for number, (old, new) in change.items():
        assert old in lines[number - 1], (old, lines[number - 1])
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_bytes(("\ufeff" + "\n".join(lines)).encode("utf-8"))
    return lines


def dob_on(path: Path, line: int) -> str:
    return path.read_text(encoding="utf-8-sig").split("\n")[line - 1].split(",")[3]


@pytest.mark.slow
def test_a_spreadsheet_date_format_never_costs_a_row_and_a_fixed_file_is_accepted_by_repair(demo: Path) -> None:
    table_file = demo / "patients.csv"
    iso = {line: dob_on(table_file, line) for line in (3, 4)}
    local = {line: f"{d[8:10]}/{d[5:7]}/{d[:4]}" for line, d in iso.items()}  # 03/12/2026 style
    edit_lines(table_file, {line: (iso[line], local[line]) for line in iso})
    edited = table_file.read_bytes()
    with opened(demo) as session:
        assert session.read_only and "patients.csv" in session.store.read_only_reason
        assert len(session.store.table(PATIENTS)) == DEMO_PATIENTS - 2
        reasons = {q.line: q.reason for q in session.store.quarantine}
        assert set(reasons) == {3, 4} and local[3] in reasons[3] and "date_of_birth" in reasons[3]
    assert table_file.read_bytes() == edited  # closing rewrote nothing
    code, text = repair(demo)  # accept the file as it is; the two rows stay where they are
    assert code == 0 and "keep in the file" in text
    with opened(demo) as session:
        assert not session.read_only
        session.services.patients.register(patient("Amara"))
    assert local[3] in table_file.read_text(encoding="utf-8-sig")  # still there to be fixed
    code, text = check(demo)
    assert code == 1 and f"{table_file}:3: date_of_birth: '{local[3]}'" in text
    edit_lines(table_file, {line: (local[line], iso[line]) for line in iso})  # the person fixes them
    with opened(demo) as session:
        assert session.read_only  # a fix by hand is a change too: a person confirms it
    assert repair(demo)[0] == 0
    code, text = check(demo)
    assert code == 0, text
    assert f"patients: {DEMO_PATIENTS + 1} row(s)" in text
    assert [r["by"] for r in manifest(demo)["repairs"]] == ["admin", "admin"]  # the signed-in --user


@pytest.mark.slow
def test_repair_discards_unloadable_rows_only_when_asked_and_keeps_a_copy(demo: Path) -> None:
    table_file = demo / "patients.csv"
    bad = dob_on(table_file, 2)
    edit_lines(table_file, {2: (bad, "yesterday")})
    code, text = repair(demo, "--discard-unloadable")
    assert code == 0 and "discard (a copy is kept): patients.csv has 1 row(s)" in text
    assert "yesterday" not in table_file.read_text(encoding="utf-8-sig")
    [copy_dir] = (demo / "repair").iterdir()
    assert "yesterday" in (copy_dir / "patients.csv").read_text(encoding="utf-8-sig")
    assert "yesterday" in (demo / "quarantine" / "patients.csv").read_text(encoding="utf-8-sig")
    code, text = check(demo)
    assert code == 0 and f"patients: {DEMO_PATIENTS - 1} row(s)" in text


@pytest.mark.slow
def test_an_edited_journal_line_is_never_checkpointed_away(demo: Path) -> None:
    with opened(demo) as session:
        saved = session.services.patients.register(patient("Kemi"))
        crash(session)  # the change is only in the journal
    journal = demo / "patients.journal.csv"
    text = journal.read_bytes().replace(b"Kemi", b"Kimi")
    journal.write_bytes(text)
    with opened(demo) as session:
        assert not session.read_only
        assert "checksum" in session.store.quarantine[0].reason
        assert saved.id not in session.store.table(PATIENTS)
        session.services.patients.register(patient("Tunde"))
    assert b"Kimi" in journal.read_bytes()  # not rotated into history: still where it can be seen
    code, out = check(demo)
    assert code == 1 and f"{journal}:" in out and "checksum mismatch" in out


@pytest.mark.slow
def test_a_windows_1252_table_opens_names_the_line_and_repair_converts_it_keeping_the_original(demo: Path) -> None:
    with opened(demo) as session:
        zoe = session.services.patients.register(patient("Zoë", "Müller"))
    table_file = demo / "patients.csv"
    text = table_file.read_bytes().decode("utf-8-sig")
    table_file.write_bytes(text.encode("cp1252", "replace"))  # Excel's "CSV (Comma delimited)": ? if unmappable
    line = text.split("\n").index(next(x for x in text.split("\n") if x.startswith(zoe.id))) + 1
    with opened(demo) as session:
        assert session.read_only
        bad = {q.line: q.reason for q in session.store.quarantine if q.file == "patients.csv"}
        assert "byte 0xEB" in bad[line] and all("CSV UTF-8" in reason for reason in bad.values())
        assert len(session.store.table(PATIENTS)) == DEMO_PATIENTS + 1 - len(bad)  # the other rows load
    code, out = check(demo)
    assert code == 1 and f"{table_file}:{line}: byte 0xEB at column" in out and "Traceback" not in out
    code, out = repair(demo)
    assert code == 0 and "convert patients.csv from Windows-1252 to UTF-8" in out
    [copy_dir] = (demo / "repair").iterdir()
    assert (copy_dir / "patients.csv").read_bytes() == text.encode("cp1252", "replace")
    with opened(demo) as session:
        assert session.store.table(PATIENTS).get(zoe.id).family_name == "Müller"
    assert check(demo)[0] == 0


@pytest.mark.slow
def test_settings_in_latin_1_open_with_defaults_named_and_repair_converts_them(demo: Path) -> None:
    (demo / "settings.json").write_bytes('{"clinic_name": "Clínica São José"}'.encode("latin-1"))
    with opened(demo) as session:
        assert "settings.json" in session.settings_problem and "not UTF-8" in session.settings_problem
        assert session.settings.clinic_name == "HMS Clinic" and not session.read_only
    code, out = check(demo)
    assert code == 1 and f"{demo / 'settings.json'}: byte 0xED at line 1" in out
    assert "convert settings.json" in repair(demo)[1]
    with opened(demo) as session:
        assert session.settings.clinic_name == "Clínica São José" and not session.settings_problem


@pytest.mark.parametrize("garbage", [
    pytest.param(lambda t: t.encode("utf-16"), id="UTF-16"),
    pytest.param(lambda t: t.replace(",", "\x00,", 20).encode(), id="NUL bytes"),
    pytest.param(lambda t: b"\xff" * 500, id="binary"),
    pytest.param(lambda t: t.replace(",", '","').encode("utf-8-sig"), id="broken quoting"),
    pytest.param(lambda t: "\r\n".join(f'"{line}"'.replace(",", '","') for line in t.split("\n")).encode(),
                 id="CRLF, every cell quoted"),
])
@pytest.mark.slow
def test_any_bytes_in_a_table_open_the_folder_and_check_names_the_file(demo: Path, garbage: object) -> None:
    table_file = demo / "patients.csv"
    table_file.write_bytes(garbage(table_file.read_text(encoding="utf-8-sig")))  # type: ignore[operator]
    with opened(demo) as session:
        assert session.read_only and "patients.csv" in session.store.read_only_reason
    code, out = check(demo)
    assert code == 1 and str(table_file) in out and "Traceback" not in out


@pytest.mark.slow
def test_a_renamed_column_is_named_at_line_1_and_the_table_is_never_rewritten_without_it(demo: Path) -> None:
    table_file = demo / "patients.csv"
    edit_lines(table_file, {1: (",address,", ",Address,")})
    code, out = check(demo)
    assert code == 1
    assert f"{table_file}:1: column 'Address' is not a column of patients (did you mean 'address'?)" in out
    assert f"{table_file}:1: column(s) 'address' missing from the header" in out
    assert repair(demo)[0] == 0  # accepted as it is: the header stays wrong, so patients stay read-only
    edited = table_file.read_bytes()
    with opened(demo) as session:
        with pytest.raises(ReadOnlyError, match="patients.csv:1: the header was changed"):
            session.store.table(PATIENTS).insert(patient("Ife"))
    assert table_file.read_bytes() == edited  # every address a person typed is still there


@pytest.mark.slow
def test_a_column_a_person_added_survives_every_save(demo: Path) -> None:
    table_file = demo / "patients.csv"
    lines = table_file.read_bytes().decode("utf-8-sig").rstrip("\n").split("\n")
    lines = [lines[0] + ",ward"] + [line + f",Ward {n}" for n, line in enumerate(lines[1:])]
    table_file.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode())
    assert repair(demo)[0] == 0
    with opened(demo) as session:
        saved = session.services.patients.register(patient("Ife"))  # writes go to the journal
        assert any("column 'ward' is not a column of patients" in f for f in session.store.findings())
    assert "Ward 0" in table_file.read_text(encoding="utf-8-sig")
    with opened(demo) as session:
        assert saved.id in session.store.table(PATIENTS)
    code, out = check(demo)
    assert code == 1 and f"{table_file}:1: column 'ward'" in out and "not rewritten" in out


@pytest.mark.slow
def test_formula_cells_typed_by_hand_are_flagged_and_written_back_escaped(demo: Path) -> None:
    table_file = demo / "patients.csv"
    lines = table_file.read_bytes().decode("utf-8-sig").split("\n")
    record_id, given = lines[1].split(",")[:2]
    edit_lines(table_file, {2: (f",{given},", ',"=HYPERLINK(""http://x"",""y"")",')})
    code, out = check(demo)
    assert code == 1
    assert f"{table_file}:2: given_name '=HYPERLINK(\"http://x\",\"y\")' starts with '='" in out
    assert repair(demo)[0] == 0  # accept the edit
    with opened(demo) as session:
        assert session.store.table(PATIENTS).get(record_id).given_name == '=HYPERLINK("http://x","y")'
        session.services.patients.register(patient("Ife"))  # a change: the table is rewritten at close
    assert "'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")" in table_file.read_text(encoding="utf-8-sig")  # escaped
    with opened(demo) as session:
        assert session.store.table(PATIENTS).get(record_id).given_name == '=HYPERLINK("http://x","y")'
    assert check(demo)[0] == 0


@pytest.mark.slow
def test_a_formula_as_an_id_is_refused_and_the_row_stays_as_typed(demo: Path) -> None:
    table_file = demo / "patients.csv"
    record_id = table_file.read_bytes().decode("utf-8-sig").split("\n")[2].split(",")[0]
    edit_lines(table_file, {3: (record_id, '"=HYPERLINK(""http://x"",""id"")"')})
    assert repair(demo)[0] == 0
    with opened(demo) as session:
        [refused] = session.store.quarantine
        assert refused.line == 3 and "a spreadsheet formula, not an ID" in refused.reason
        session.services.patients.register(patient("Ife"))
    assert '"=HYPERLINK(""http://x"",""id"")"' in table_file.read_text(encoding="utf-8-sig")
    code, out = check(demo)
    assert code == 1 and f"{table_file}:3: id '=HYPERLINK" in out


def test_a_damaged_quarantine_file_does_not_stop_the_folder(demo: Path) -> None:
    (demo / "quarantine").mkdir(exist_ok=True)
    (demo / "quarantine" / "patients.csv").write_text(
        "found_at,file,line,reason,record_id,raw\nsoon,patients.csv,abc,why,,x\n\xff\n", encoding="latin-1")
    with opened(demo) as session:
        assert not session.read_only and session.store.quarantine == []
    assert check(demo)[0] == 0


@pytest.mark.slow
def test_a_folder_where_a_table_file_should_be_is_named_not_a_traceback(demo: Path) -> None:
    (demo / "patients.csv").unlink()
    (demo / "patients.csv").mkdir()  # a sync tool's conflict, a bad copy
    with opened(demo) as session:
        assert session.read_only and "patients.csv" in session.store.read_only_reason
    code, out = check(demo)
    assert code == 1 and f"{demo / 'patients.csv'}: cannot be read (Is a directory)" in out
    assert "Traceback" not in out
    code, out = repair(demo)
    assert "Traceback" not in out


def test_repair_is_refused_to_a_wrong_password_and_to_a_role_without_backup_and_restore(demo: Path) -> None:
    """The person who accepts a damaged folder signs in (cli/_signin.py): an administrator."""
    table_file = demo / "patients.csv"
    edit_lines(table_file, {2: (",", ", ")})  # an edit by hand: the folder waits for a person
    before = table_file.read_bytes()
    code, text = repair(demo, user="nurse")
    assert code == 1 and "Nina Nurse (demo) (nurse) may not repair the data folder" in text
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HMS_PASSWORD", "not the administrator's password")
        code, text = run("repair", "--data-dir", str(demo), "--user", "admin", "--yes")
    assert code == 1 and "--user admin: not signed in: wrong username or password" in text
    assert "repairs" not in manifest(demo) and table_file.read_bytes() == before
    with opened(demo) as session:
        assert session.read_only  # still waiting for a person who may confirm
