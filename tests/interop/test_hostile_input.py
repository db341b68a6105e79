"""Broken files and arguments: a clear message naming the file (and line), exit 2, nothing written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hms_desktop.__main__ import main
from hms_desktop.interop.fhir_export import ExportCancelled, bulk_export
from hms_desktop.interop.sheet_read import SheetError, detect_delimiter, read_sheet
from hms_desktop.services.session import Session

from .conftest import reopen


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"  \r\n\r\n", "the file is empty"),
    (b"given_name,family_name\nAda,Love\x00lace\n", ":2: the file contains NUL bytes"),
])
def test_unreadable_csv_is_named(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad file.csv"
    path.write_bytes(content)
    with pytest.raises(SheetError, match=message):
        read_sheet(path)


def test_a_text_file_named_xlsx_is_refused(tmp_path: Path, data_dir: Path, capsys) -> None:
    path = tmp_path / "list.xlsx"
    path.write_text("given_name,family_name\nAda,Lovelace\n", encoding="utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(path), "--date-format",
                 "dd/mm/yyyy"]) == 2
    assert "list.xlsx: not a readable xlsx workbook" in capsys.readouterr().err


def test_unknown_columns_name_the_layouts(tmp_path: Path, data_dir: Path, capsys) -> None:
    path = tmp_path / "misc.csv"
    path.write_text("colour,size\nred,4\n", encoding="utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(path), "--date-format",
                 "dd/mm/yyyy"]) == 2
    assert "match no known layout" in capsys.readouterr().err


def test_bad_provider_mapping_is_an_argument_error(tmp_path: Path, data_dir: Path, capsys) -> None:
    path = tmp_path / "a.csv"
    path.write_text("given_name,family_name,dob\nAda,Lovelace,1984-03-07\n", encoding="utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(path), "--date-format",
                 "dd/mm/yyyy", "--provider", "DOC1"]) == 2
    assert "write FILE_ID=OUR_ID" in capsys.readouterr().err


def test_a_folder_open_elsewhere_is_not_written(tmp_path: Path, session: Session, capsys) -> None:
    path = tmp_path / "a.csv"
    path.write_text("given_name,family_name,dob\nAda,Lovelace,1984-03-07\n", encoding="utf-8")
    assert main(["import", "--user", "clin", "--data-dir", str(session.data_dir), str(path), "--date-format",
                 "dd/mm/yyyy"]) == 2
    assert "open in another HMS Desktop" in capsys.readouterr().err


def test_quoted_cells_crlf_and_semicolons(tmp_path: Path, data_dir: Path, import_user: str) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'"given_name";"family_name";"dob";"address"\r\n'
                     b'"Ada";"Lovelace";"1984-03-07";"1 Main St\r\nLondon; UK"\r\n'
                     b'"Alan";"Turing";"1912-06-23";"=HYPERLINK(""x"")"\r\n')
    sheet = read_sheet(path)
    assert sheet.delimiter == ";" and sheet.lines == [2, 4]
    assert main(["import", "--user", "clin", "--data-dir", str(data_dir), str(path), "--date-format",
                 "dd/mm/yyyy"]) == 0
    opened = reopen(data_dir)
    try:
        addresses = sorted(p.address for p in opened.services.patients.table.all())
    finally:
        opened.store.close()
    assert addresses == ["1 Main St\r\nLondon; UK", '=HYPERLINK("x")']  # kept exactly, stored escaped


def test_delimiter_of_a_one_column_file_defaults_to_comma() -> None:
    assert detect_delimiter("name\nAda\n") == ","


@pytest.mark.slow
def test_cancelled_bulk_export_leaves_nothing(demo_session: Session, tmp_path: Path) -> None:
    cancel = threading.Event()
    out = tmp_path / "out"

    def progress(step: str, fraction: float) -> None:
        cancel.set()  # the user presses Cancel as soon as the first patient is reported

    with pytest.raises(ExportCancelled):
        bulk_export(demo_session.services, out, progress=progress, cancel=cancel)
    assert list(out.iterdir()) == []
