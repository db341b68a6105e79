"""The day sheet is a real PDF listing the provider's day in time order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from hms_desktop.domain.scheduling import AppointmentStatus
from hms_desktop.ui.schedule.day_sheet import write_day_sheet
from hms_desktop.ui.schedule.items import CalendarItem


def pdf_text(path: Path) -> str:
    """Extracted text with runs of whitespace (pypdf emits tabs between words) as one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def item(aid: str, hour: int, patient: str, status: AppointmentStatus) -> CalendarItem:
    return CalendarItem(aid, datetime(2026, 3, 2, hour), datetime(2026, 3, 2, hour, 30), "DOC000001",
                        patient, f"{patient} · Review <BP>", patient, status)


def test_pdf_lists_appointments_in_order(tmp_path: Path, qtbot: QtBot) -> None:
    path = write_day_sheet(tmp_path / "sheet.pdf", "Dr Ada Lovelace", date(2026, 3, 2), [
        item("APT000002", 11, "PAT000002", AppointmentStatus.CANCELLED),
        item("APT000001", 9, "PAT000001", AppointmentStatus.BOOKED)])
    text = pdf_text(path)
    assert "Dr Ada Lovelace" in text and "Monday 02 March 2026" in text
    assert text.index("APT000001") < text.index("APT000002")
    assert "Cancelled" in text and "<BP>" in text  # escaped HTML shows literally


def test_empty_day_says_so(tmp_path: Path, qtbot: QtBot) -> None:
    path = write_day_sheet(tmp_path / "empty.pdf", "Nurse Bob", date(2026, 3, 3), [])
    assert "No appointments." in pdf_text(path)
