"""Spreadsheet import through the CLI and the plan/apply API: real files in real encodings,
read back from a fresh session after writing."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from hms_desktop.__main__ import main
from hms_desktop.domain.patient import Patient
from hms_desktop.interop.sheet_import import (
    ImportCancelled,
    Mode,
    apply_plan,
    default_options,
    plan_import,
)
from hms_desktop.interop.sheet_layouts import Kind
from hms_desktop.interop.sheet_read import read_sheet
from hms_desktop.interop.sheet_rows import DateOrder
from hms_desktop.services.birth_date_estimates import BirthDateEstimateService
from hms_desktop.services.session import Session

from .conftest import reopen

pytestmark = pytest.mark.usefixtures("import_user")  # --user clin signs in (cli/_signin.py)

HEADER = "Given name;Family name;Date of birth;Sex;Phone;Email\r\n"


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _patients(folder: Path) -> list[Patient]:
    session = reopen(folder)
    try:
        return session.services.patients.table.all()
    finally:
        session.store.close()


def test_windows_1252_file_with_day_first_dates(tmp_path: Path, data_dir: Path) -> None:
    source = _write(tmp_path / "clinic export.csv", HEADER
                    + "Zoë;Núñez;03/04/1980;F;07911 123456;zoe@example.com\r\n"
                    + "François;Çelik;25/12/1975;M;;\r\n", "cp1252")
    assert source.read_bytes().count(b"\xeb") == 1  # really Windows-1252, not UTF-8
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "dd/mm/yyyy"]) == 0
    people = {p.family_name: p for p in _patients(data_dir)}
    assert people["Núñez"].given_name == "Zoë"
    assert people["Núñez"].date_of_birth == date(1980, 4, 3)
    assert people["Núñez"].phone == "+447911123456"
    assert people["Çelik"].date_of_birth == date(1975, 12, 25)


def test_month_first_is_an_explicit_choice(tmp_path: Path, data_dir: Path, capsys) -> None:
    source = _write(tmp_path / "us.csv", HEADER + "Ann;Lee;12/25/1975;F;;\r\n", "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "dd/mm/yyyy"]) == 1
    assert "us.csv:2: Date of birth: '12/25/1975' is not a valid date as dd/mm/yyyy" in \
        capsys.readouterr().out
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "mm/dd/yyyy"]) == 0
    assert _patients(data_dir)[0].date_of_birth == date(1975, 12, 25)


def test_utf8_bom_file_is_recognised(tmp_path: Path, data_dir: Path) -> None:
    source = _write(tmp_path / "bom.csv", "given_name,family_name,dob\nÅsa,Öberg,1990-01-31\n",
                    "utf-8-sig")
    sheet = read_sheet(source)
    assert sheet.encoding == "utf-8-sig" and sheet.headers[0] == "given_name"
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "dd/mm/yyyy"]) == 0
    assert _patients(data_dir)[0].given_name == "Åsa"


BAD_ROWS = (HEADER
            + "Ada;Lovelace;07/03/1984;F;;\r\n"
            + "Alan;Turing;31/02/1912;M;;\r\n"  # no 31 February
            + "Grace;Hopper;09/12/1926;F;12345;\r\n"  # not a phone number
            + "Emmy;Noether;23/03/1982;F;;emmy@\r\n"  # bad e-mail
            + "Mary;Somerville;26/12/1780;F;;\r\n".replace("1780", "1980"))


def test_three_bad_rows_are_reported_by_line_and_field(tmp_path: Path, data_dir: Path,
                                                       capsys) -> None:
    source = _write(tmp_path / "people.csv", BAD_ROWS, "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "dd/mm/yyyy"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in out] == [
        "people.csv:3: Date of birth", "people.csv:4: Phone", "people.csv:5: Email"]
    assert _patients(data_dir) == []  # all-or-nothing: nothing written

    rejected = tmp_path / "fix me.csv"
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source), "--date-format",
                 "dd/mm/yyyy", "--valid-rows", "--rejected", str(rejected)]) == 1
    assert sorted(p.family_name for p in _patients(data_dir)) == ["Lovelace", "Somerville"]
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0].endswith("source line,problems")
    assert lines[1].startswith("Alan,Turing,31/02/1912") and ",3,Date of birth:" in lines[1]


def test_duplicates_of_existing_patients_and_within_the_file(tmp_path: Path, data_dir: Path,
                                                             capsys) -> None:
    session = reopen(data_dir)
    ada = session.services.patients.register(Patient(given_name="Ada", family_name="Lovelace",
                                                     date_of_birth="1984-03-07")).id
    session.store.close()
    source = _write(tmp_path / "dups.csv", HEADER
                    + "Ada;Lovelace;07/03/1984;F;;\r\n"
                    + "Charles;Babbage;26/12/1991;M;;\r\n"
                    + "Charles;Babage;26/12/1991;M;;\r\n", "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(source),
                 "--date-format", "dd/mm/yyyy", "--valid-rows"]) == 1
    out = capsys.readouterr().out
    assert f"dups.csv:2: Family name: possible duplicate of existing patient {ada}" in out
    assert "dups.csv:4: Family name: same person as line 3 of this file" in out
    assert sorted(p.family_name for p in _patients(data_dir)) == ["Babbage", "Lovelace"]


def test_cancel_writes_nothing(tmp_path: Path, session: Session) -> None:
    source = _write(tmp_path / "ok.csv", HEADER + "Ada;Lovelace;07/03/1984;F;;\r\n", "utf-8")
    sheet = read_sheet(source)
    cancel = threading.Event()
    cancel.set()
    options = default_options(sheet, Kind.PATIENTS)
    with pytest.raises(ImportCancelled):
        plan_import(sheet, options, session.services, cancel=cancel)
    plan = plan_import(sheet, options, session.services)
    with pytest.raises(ImportCancelled):
        apply_plan(plan, session.services, cancel=cancel)
    session.store.close()
    assert _patients(session.data_dir) == []


ORIGINAL_PATIENTS = (
    "patient_id,name,age,gender,contact,email,address,blood_group,medical_history,"
    "emergency_contact_name,emergency_contact_relation,emergency_contact_phone\n"
    "PAT000001,Zoe Nunez,42,Female,07911 123456,zoe@example.com,\"1 High St, Leeds\",A+,Asthma,"
    "Jose Nunez,Husband,07911 123457\n"
    "PAT000002,Ren O'Brien,35,Male,07911 123458,,,O-,,,,\n")


def _import_original_patients(tmp_path: Path, data_dir: Path) -> None:
    patients = _write(tmp_path / "patients.csv", ORIGINAL_PATIENTS, "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(patients),
                 "--date-format", "dd/mm/yyyy"]) == 0


@pytest.mark.slow
def test_original_system_files_are_recognised_and_linked(tmp_path: Path, data_dir: Path) -> None:
    _import_original_patients(tmp_path, data_dir)
    ehr = _write(tmp_path / "ehr.csv",
                 "patient_id,allergies,chronic_conditions,current_medications,past_surgeries,"
                 "recent_diagnoses,doctor_notes\n"
                 "PAT000001,\"Penicillin, Peanuts\",Asthma,\"Salbutamol 100 mcg as needed, Aspirin\","
                 "Appendectomy,Bronchitis,Review in 3 months\n", "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(ehr), "--date-format",
                 "dd/mm/yyyy"]) == 0
    readings = _write(tmp_path / "chronic.csv",
                      "patient_id,date,blood_sugar,blood_pressure,weight,notes\n"
                      "PAT000002,01/02/2025,126,130/85,80.5,fasting\n", "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(readings), "--date-format",
                 "dd/mm/yyyy"]) == 0
    session = reopen(data_dir)
    try:
        services = session.services
        zoe = next(p for p in services.patients.table.all() if p.given_name == "Zoe")
        assert zoe.other_identifier == "original:PAT000001"
        assert zoe.date_of_birth.year in (date.today().year - 43, date.today().year - 42)
        assert BirthDateEstimateService(session.store, session.bus).is_estimated(zoe.id)
        record = services.record
        assert sorted(a.substance for a in record.entries("allergies", zoe.id)) == \
            ["Peanuts", "Penicillin"]
        meds = record.entries("medications", zoe.id)
        assert [(m.name, m.dose, m.unit) for m in meds] == [("Salbutamol", 100.0, "mcg")]
        notes = " ".join(n.text for n in record.entries("clinical_notes", zoe.id))
        assert "Aspirin" in notes and "Appendectomy" in notes  # kept, never dropped
        ren = next(p for p in services.patients.table.all() if p.given_name == "Ren")
        reading = services.chronic.readings_for(ren.id)[0]
        assert reading.glucose_mmol_l == pytest.approx(126 / 18.016, abs=0.01)  # mg/dL read
        assert (reading.systolic, reading.diastolic) == (130, 85)
    finally:
        session.store.close()


@pytest.mark.slow
def test_xlsx_file_with_appointments(tmp_path: Path, demo_session: Session) -> None:
    services = demo_session.services
    pid = services.patients.ids()[0]
    services.patients.update(pid, {"other_identifier": "original:PAT000777"})
    provider = services.scheduling.providers.all()[0]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["appointment_id", "patient_id", "doctor_id", "date", "time", "reason"])
    sheet.append(["APT000001", "PAT000777", "DOC900001", date(2031, 3, 4), "10:30", "Check-up"])
    sheet.append(["APT000002", "PAT000777", "DOC000404", "05/03/2031", "25:00", "Bad"])
    path = tmp_path / "appointments.xlsx"
    book.save(path)
    read = read_sheet(path)
    options = default_options(read, Kind.APPOINTMENTS, date_order=DateOrder.DAY_FIRST,
                              mode=Mode.VALID_ROWS, provider_map={"DOC900001": provider.id})
    plan = plan_import(read, options, services)
    assert [(p.line, p.field) for p in plan.problems] == [(3, "doctor_id"), (3, "time")]
    result = apply_plan(plan, services, rejected_path=tmp_path / "rejected.csv")
    assert result.written == {"appointments": 1}
    booked = services.scheduling.appointments.get(result.new_ids[0])
    assert booked.patient_id == pid and booked.provider_id == provider.id
    assert booked.reason == "Check-up [original APT000001]"


def test_original_referrals_keep_their_ref_id_in_the_notes(tmp_path: Path, data_dir: Path,
                                                           capsys) -> None:
    _import_original_patients(tmp_path, data_dir)
    referrals = _write(tmp_path / "referrals.csv",
                       "referral_id,patient_id,current_department,referred_department,reason,"
                       "referred_by,notes,specialist_available\n"
                       "REF000007,PAT000002,General Medicine,Cardiology,Chest pain,Dr Grey,"
                       "ECG done,Yes\n"
                       "REF000008,PAT000002,General Medicine,Astrology,Stars,Dr Grey,,No\n"
                       "REF000009,PAT000404,General Medicine,Cardiology,Palpitations,Dr Grey,,\n",
                       "utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(referrals), "--date-format",
                 "dd/mm/yyyy", "--valid-rows"]) == 1
    out = capsys.readouterr()
    assert "referrals.csv:3: referred_department: 'Astrology' is not an active department" in out.out
    assert "referrals.csv:4: patient_id: no patient with original ID PAT000404" in out.out
    assert "referrals.csv:2: note: no date in the file: created on" in out.err
    session = reopen(data_dir)
    try:
        ren = next(p for p in session.services.patients.table.all() if p.given_name == "Ren")
        [row] = session.services.referrals.for_patient(ren.id, date.today())
        assert row.referral.status == "draft" and row.referral.to_department == "Cardiology"
        assert "Original system referral REF000007" in row.referral.notes
        assert "Specialist available: Yes" in row.referral.notes
    finally:
        session.store.close()
