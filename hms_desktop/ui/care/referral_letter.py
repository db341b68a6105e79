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

from hms_desktop.domain.accounts import SignedInUser
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.referrals import Referral


@dataclass(frozen=True, slots=True)
class LetterPatient:
    name: str
    patient_id: str
    date_of_birth: str = ""
    sex: str = ""
    allergies: list[str] = field(default_factory=list)
    allergies_recorded: bool = False  # "no known allergies" only when recorded as such


@dataclass(frozen=True, slots=True)
class LetterSender:
    """Who the letter is from: the clinic (name and address) and who signs it.

    The signed-in person signs, with their professional registration number; a window with
    nobody signed in (the ``system`` actor of tests and tools) falls back to the clinic
    settings' signatory. A letter used to be signed with the login name ("root")."""

    clinic: str = "HMS Clinic"
    address: str = ""
    signatory: str = ""
    role: str = ""

    @classmethod
    def from_settings(cls, settings: ClinicSettings, user: SignedInUser | None = None) -> LetterSender:
        clinic, address = settings.clinic_name or "HMS Clinic", settings.clinic_address
        if user is not None and not user.system and user.roles:
            roles = ", ".join(sorted(role.value.capitalize() for role in user.roles))
            registration = f" · Registration no. {user.registration_number}" if user.registration_number else ""
            return cls(clinic=clinic, address=address, signatory=user.display_name, role=roles + registration)
        return cls(clinic=clinic, address=address, signatory=settings.letter_signatory,
                   role=settings.letter_signatory_role)


def letter_html(referral: Referral, patient: LetterPatient, *, clinic: str = "HMS Clinic",
                today: date | None = None, sender: LetterSender | None = None) -> str:
    e = html.escape
    sender = sender or LetterSender(clinic=clinic)
    clinic = sender.clinic
    when = (today or date.today()).isoformat()
    address = "<br/>".join(e(line) for line in sender.address.splitlines() if line.strip())
    if sender.signatory:
        signature = f"<b>{e(sender.signatory)}</b>" + (f"<br/>{e(sender.role)}" if sender.role else "")
    else:  # say how to fix it rather than print a login name
        signature = (f"{e(referral.referred_by)}<br/><i>(signatory not set: File ▸ Clinic settings ▸ "
                     "Letters signed by)</i>")
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
<p>{address}</p>
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
<p>{signature}<br/>{e(clinic)}</p>
"""


def print_letter(referral: Referral, patient: LetterPatient, printer: QPrinter, *,
                 sender: LetterSender | None = None, today: date | None = None) -> None:
    """Print the letter on ``printer`` (a real printer from QPrintDialog, or a PDF file)."""
    printer.setDocName(f"Referral {referral.id}")
    doc = QTextDocument()
    doc.setHtml(letter_html(referral, patient, today=today, sender=sender))
    doc.print_(printer)


def print_letter_pdf(referral: Referral, patient: LetterPatient, path: Path, *,
                     clinic: str = "HMS Clinic", today: date | None = None,
                     sender: LetterSender | None = None) -> Path:
    """Write the letter as an A4 PDF at ``path`` (GUI thread: QTextDocument needs fonts)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    print_letter(referral, patient, printer, sender=sender or LetterSender(clinic=clinic), today=today)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the letter could not be written to {path}")
    return path
