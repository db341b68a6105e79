"""Visit log: the generic section page plus "Book follow-up…" and prefilled visits requested
by the Schedule tab (the Record tab routes ``ctx.navigation.sig_visit_log_requested`` here)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.record import Section, Visit
from hms_desktop.ui.record.clock import from_wall
from hms_desktop.ui.record.entry_dialog import RecordEntryDialog
from hms_desktop.ui.record.section_page import SectionPage
from hms_desktop.ui.record.widgets import button

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

FOLLOW_UP_HOUR = 9  # a proposed start; the booking dialog lets the user pick the real slot


def follow_up_request(visit: Visit) -> dict[str, Any] | None:
    """The booking request for a visit's follow-up, or None when it needs none."""
    if not visit.follow_up_required or visit.next_visit is None:
        return None
    start = from_wall(datetime.combine(visit.next_visit, time(FOLLOW_UP_HOUR)))
    reason = "Follow-up" + (f": {visit.diagnosis.splitlines()[0]}" if visit.diagnosis.strip() else "")
    return {"patient_id": visit.patient_id, "start": start, "reason": reason}


class VisitsPage(SectionPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, Section.VISITS, parent)
        self.book_button = button(self, "&Book follow-up…", "visits_book_follow_up", "Book follow-up")
        ctx.write_guard.register(self.book_button, needs=Permission.MANAGE_SCHEDULE)
        self.book_button.clicked.connect(self.book_follow_up)
        self.actions_row.insertWidget(4, self.book_button)
        self._selection_changed()

    def _selection_changed(self) -> None:
        super()._selection_changed()
        if hasattr(self, "book_button"):
            row = self.selected()
            self.book_button.setEnabled(bool(row is not None and follow_up_request(row)))

    def book_follow_up(self) -> None:
        row = self.selected()
        request = follow_up_request(row) if row is not None else None
        if row is not None and request is not None:
            self.ctx.navigation.request_booking(**request)
            self.message.setText(f"Follow-up requested for {row.next_visit.isoformat()}.")

    def open_requested_visit(self, details: dict[str, Any]) -> RecordEntryDialog | None:
        """Schedule asked to log a visit for an appointment: select the patient and open the
        visit dialog prefilled with the doctor, the time and the appointment link."""
        patient_id = str(details.get("patient_id") or "")
        if not patient_id:
            return None
        if self.ctx.current_patient.patient_id != patient_id:
            self.ctx.current_patient.select(patient_id)
        self.patient_id = patient_id
        at = details.get("at")
        if isinstance(at, datetime) and at.tzinfo is None:
            at = from_wall(at)  # a naive time from a calendar is clinic wall-clock time
        provider = str(details.get("provider_id") or "")
        prefill: dict[str, Any] = {"provider_id": provider, "appointment_id": str(details.get("appointment_id") or "")}
        if provider:
            prefill["doctor"] = self._provider_name(provider)
        if isinstance(at, datetime):
            prefill["at"] = at.astimezone(UTC)
        self.reload()
        return self.add_entry(prefill)

    def _provider_name(self, provider_id: str) -> str:
        """The doctor's name from the scheduling providers when present, else the provider ID."""
        provider = self.ctx.services.scheduling.providers.get(provider_id)
        return provider.name if provider is not None and provider.name else provider_id

    def _saved(self, saved: Any) -> None:
        super()._saved(saved)
        link_visit = self.ctx.services.scheduling.link_visit
        if getattr(saved, "appointment_id", ""):
            # the appointment points back at the visit logged for it (Schedule shows "visit logged")
            self.ctx.run(link_visit, saved.appointment_id, saved.id, on_error=self._failed,
                         what=f"linking visit {saved.id} to appointment {saved.appointment_id}")
