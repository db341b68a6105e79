"""The referral letter: plain data in, a PDF out through QtPrintSupport.

The letter carries the patient's identity and allergies (a specialist must not learn of
a penicillin allergy by accident), the reason, urgency and who referred. Every piece of
text is HTML-escaped: a reason typed as ``<b>`` prints as typed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from hms_desktop.domain.referrals import Referral


@dataclass(frozen=True, slots=True)
class LetterPatient:
    name: str
    patient_id: str
    date_of_birth: str = ""
    sex: str = ""
    allergies: list[str] = field(default_factory=list)
    allergies_recorded: bool = False  # "no known allergies" only when recorded as such


def letter_html(referral: Referral, patient: LetterPatient, *, clinic: str = "HMS Clinic",
                today: date | None = None) -> str:
    e = html.escape
    when = (today or date.today()).isoformat()
    if patient.allergies:
        allergies = "<b>Allergies:</b> " + e("; ".join(patient.allergies))
    elif patient.allergies_recorded:
        allergies = "<b>Allergies:</b> No known allergies"
    else:
        allergies = "<b>Allergies:</b> not recorded"
    notes = f"<p><b>Notes:</b> {e(referral.notes)}</p>" if referral.notes.strip() else ""
    urgency = str(referral.urgency).upper() if referral.urgency != "routine" else "Routine"
    return f"""
<h2>{e(clinic)}</h2>
<p>{e(when)}</p>
<p>To: <b>{e(referral.to_department)}</b><br/>
From: {e(referral.from_department or clinic)}<br/>
Referral {e(referral.id)} — urgency: <b>{e(urgency)}</b></p>
<h3>Re: {e(patient.name)} ({e(patient.patient_id)})</h3>
<p>Date of birth: {e(patient.date_of_birth or "not recorded")}; sex: {e(patient.sex or "not recorded")}</p>
<p>{allergies}</p>
<p>Dear colleague,</p>
<p>Thank you for seeing this patient. <b>Reason for referral:</b> {e(referral.reason)}</p>
{notes}
<p>Yours sincerely,</p>
<p>{e(referral.referred_by)}</p>
"""


def print_letter_pdf(referral: Referral, patient: LetterPatient, path: Path, *,
                     clinic: str = "HMS Clinic", today: date | None = None) -> Path:
    """Write the letter as an A4 PDF at ``path`` (GUI thread: QTextDocument needs fonts)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDocName(f"Referral {referral.id}")
    doc = QTextDocument()
    doc.setHtml(letter_html(referral, patient, clinic=clinic, today=today))
    doc.print_(printer)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the letter could not be written to {path}")
    return path
