"""The referral letter PDF exists, parses, and carries the patient, allergies and reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from hms_desktop.domain.referrals import Referral, Urgency
from hms_desktop.ui.care.referral_letter import LetterPatient, letter_html, print_letter_pdf

REF = Referral(id="REF000007", patient_id="PAT000042", to_department="Cardiology",
               reason="Exertional chest pain <b>not</b> bold", urgency=Urgency.URGENT,
               referred_by="Dr Ada Okafor", created_on=date(2026, 11, 20),
               from_department="General Medicine", notes="ECG attached")


def pdf_text(path: Path) -> str:
    """Page text with whitespace runs folded (the extractor writes word gaps as tabs)."""
    raw = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return " ".join(raw.split())


def test_letter_pdf_holds_patient_allergies_and_reason(qtbot: QtBot, tmp_path: Path) -> None:
    patient = LetterPatient(name="Mary Jones", patient_id="PAT000042", date_of_birth="1950-03-04",
                            sex="Female", allergies=["Penicillin (anaphylaxis)"])
    out = print_letter_pdf(REF, patient, tmp_path / "letter.pdf", today=date(2026, 11, 25))
    text = pdf_text(out)
    for expected in ("Mary Jones", "PAT000042", "Penicillin", "Cardiology", "REF000007",
                     "URGENT", "Dr Ada Okafor", "ECG attached", "Exertional chest pain"):
        assert expected in text, expected


def test_allergy_states_are_distinct() -> None:
    none_recorded = letter_html(REF, LetterPatient("A B", "PAT000001"))
    nka = letter_html(REF, LetterPatient("A B", "PAT000001", allergies_recorded=True))
    assert "Allergies:</b> not recorded" in none_recorded
    assert "No known allergies" in nka


def test_text_is_escaped() -> None:
    page = letter_html(REF, LetterPatient("<script>", "PAT000001"))
    assert "&lt;b&gt;not&lt;/b&gt;" in page and "<script>" not in page
