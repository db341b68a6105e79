"""How a referral reads in a table, shared by the patient's page and the clinic-wide list."""

from __future__ import annotations

from datetime import date

from hms_desktop.domain.referrals import Referral

HEADERS = ("Referral", "Created", "To", "Urgency", "Status", "Sent", "Booked", "Appointment",
           "Seen", "Report", "Late")


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def referral_cells(r: Referral, overdue: str | None) -> list[str]:
    status = r.status.value + (f" ({r.cancel_reason})" if r.cancel_reason else "")
    return [r.id, _d(r.created_on), r.to_department, r.urgency.value, status, _d(r.sent_on),
            _d(r.booked_on), _d(r.appointment_on), _d(r.seen_on), _d(r.report_on), overdue or ""]
