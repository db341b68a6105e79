"""What the Schedule tab does to appointments: status changes, drag/keyboard moves,
booking, .ics export and day sheets. Every write runs on the background writer via
``ctx.run``; refusals are shown on the view and in the tab's message line, never silent."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu

from hms_desktop.domain.schedule_time import day_bounds_utc, utc_to_wall, wall_to_utc
from hms_desktop.domain.scheduling import TRANSITIONS, Appointment, AppointmentStatus
from hms_desktop.services.scheduling import BookingError
from hms_desktop.storage import replace_file
from hms_desktop.ui.schedule import dialogs
from hms_desktop.ui.schedule.booking_dialog import BookingDialog
from hms_desktop.ui.schedule.day_sheet import write_day_sheet
from hms_desktop.ui.schedule.items import STATUS_LABELS
from hms_desktop.ui.schedule.patient_field import patient_labels
from hms_desktop.ui.schedule.providers_dialog import ProvidersDialog
from hms_desktop.ui.schedule.rooms_dialog import RoomsDialog

if TYPE_CHECKING:
    from hms_desktop.ui.schedule.tab import ScheduleTab

S = AppointmentStatus


class ScheduleActions:
    """What the Schedule tab does to appointments, as an object the tab owns (``tab.appointment_actions``):
    the tab file stays about layout and views, and neither module needs the other's type
    at run time."""

    def __init__(self, tab: ScheduleTab) -> None:
        self.tab = tab
        self.ctx = tab.ctx
        self.dialog: BookingDialog | None = None
        self.providers_dialog: ProvidersDialog | None = None
        self.last_move: Appointment | None = None
        self.tab.new_button.clicked.connect(lambda: self.open_booking())
        self.tab.providers_button.clicked.connect(self.open_providers)
        self.tab.rooms_button.clicked.connect(lambda: RoomsDialog(self.ctx, parent=self.tab).open())
        self.tab.checkin_button.clicked.connect(lambda: self.change_status(S.CHECKED_IN))
        self.tab.complete_button.clicked.connect(lambda: self.change_status(S.COMPLETED))
        self.tab.noshow_button.clicked.connect(lambda: self.change_status(S.NO_SHOW))
        self.tab.cancel_button.clicked.connect(self.cancel_selected)
        self.tab.ics_button.clicked.connect(self.export_calendar)
        self.tab.sheet_button.clicked.connect(self.export_day_sheet)
        QShortcut(QKeySequence.StandardKey.Undo, self.tab, self.undo_move,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def say(self, text: str, *, error: bool = False) -> None:
        self.tab.status.setStyleSheet("color: #b00020" if error else "")
        self.tab.status.setText(text)
        self.tab.status.setAccessibleDescription(text)

    # ----- selection ------------------------------------------------------------------
    def select(self, item_id: str) -> None:
        self.tab.selected_id = item_id
        for view in (self.tab.day_view, self.tab.week_view):
            view.selected_id = item_id
            view.update()
        self.tab.agenda.select_id(item_id)
        self.update_actions()

    def selected(self) -> Appointment | None:
        return self.tab.service.appointments.get(self.tab.selected_id) if self.tab.selected_id else None

    def update_actions(self) -> None:
        appt = self.selected()
        nexts = TRANSITIONS[appt.status] if appt is not None else frozenset()
        self.tab.checkin_button.setEnabled(S.CHECKED_IN in nexts)
        self.tab.complete_button.setEnabled(S.COMPLETED in nexts)
        self.tab.cancel_button.setEnabled(S.CANCELLED in nexts)
        self.tab.noshow_button.setEnabled(S.NO_SHOW in nexts)

    def activate(self, item_id: str) -> None:
        """Enter / double-click: a small menu of what can be done to this appointment; its
        patient becomes the current patient, so the Record tab shows them next."""
        self.select(item_id)
        appt = self.selected()
        if appt is not None:
            self.ctx.current_patient.select(appt.patient_id)
        menu = QMenu(self.tab)
        menu.setObjectName("schedule_item_menu")
        menu.setAccessibleName("Appointment actions")
        for button in (self.tab.checkin_button, self.tab.complete_button, self.tab.cancel_button, self.tab.noshow_button):
            if button.isEnabled():
                menu.addAction(button.text().replace("&", ""), button.click)
        menu.popup(self.tab.mapToGlobal(self.tab.rect().center()))

    # ----- statuses -------------------------------------------------------------------
    def change_status(self, status: AppointmentStatus, reason: str = "") -> None:
        appt = self.selected()
        if appt is None:
            self.say("Select an appointment first.", error=True)
            return
        self.ctx.run(self.tab.service.set_status, appt.id, status, reason=reason, on_done=self._status_changed, on_error=self._failed,
                     what=f"marking {appt.id} {status.value}")

    def who(self, appt: Appointment) -> str:
        """'Name (PAT…) at 09:00': what a receptionist recognises, not just an ID."""
        name = patient_labels(self.ctx, {appt.patient_id})[appt.patient_id][0]
        label = name if name == appt.patient_id else f"{name} ({appt.patient_id})"
        return f"{label} at {utc_to_wall(appt.start, self.tab.service.zone):%H:%M}"

    def _status_changed(self, saved: Appointment) -> None:
        """Confirm every change in the message line (replacing an older red message)."""
        self.say(f"{STATUS_LABELS[saved.status]}: {self.who(saved)}.")
        if saved.status == S.COMPLETED:
            self._after_complete(saved)

    def cancel_selected(self) -> None:
        appt = self.selected()
        if appt is None:
            return
        reason = dialogs.ask_text(self.tab, "Cancel appointment", f"Reason for cancelling {appt.id}:")
        if reason is None:
            return
        if not reason:
            self.say("A reason is required to cancel an appointment.", error=True)
            return
        scope = dialogs.ask_scope(self.tab, "Cancel") if appt.series_id else "this"
        if scope == "following":
            self.ctx.run(self.tab.service.cancel_following, appt.id, reason, on_error=self._failed, what="cancelling appointments")
        elif scope == "this":
            self.change_status(S.CANCELLED, reason)

    def _after_complete(self, saved: Appointment) -> None:
        """Offer to log the visit in the patient's record (the Record tab does the logging)."""
        navigation = self.ctx.navigation
        if dialogs.ask_yes_no(self.tab, "Appointment completed",
                              f"Log the visit of {self.who(saved)} in the record now?"):
            navigation.request_visit_log(patient_id=saved.patient_id, provider_id=saved.provider_id,
                                         appointment_id=saved.id, at=saved.start)

    def _failed(self, exc: BaseException) -> bool:
        """Rule refusals are shown here (True: handled); disk / read-only failures also get
        the context's message box, because they mean nothing can be saved at all."""
        text = "; ".join(exc.problems) if isinstance(exc, BookingError) else str(exc)
        self.say(text, error=True)
        self.tab.reload()
        return isinstance(exc, ValueError)

    # ----- moves ----------------------------------------------------------------------
    def request_move(self, item_id: str, start_local: datetime, end_local: datetime,
                     provider_id: str | None) -> None:
        """A drop or Ctrl+arrow: check now (in memory), refuse visibly, or save in the background."""
        view = self.tab.day_view if self.tab.mode == "day" else self.tab.week_view
        appt = self.tab.service.appointments.get(item_id)
        if appt is None:
            view.refuse(f"{item_id} no longer exists")
            return
        try:
            start = wall_to_utc(start_local, self.tab.service.zone)
            end = wall_to_utc(end_local, self.tab.service.zone)
            draft = appt.model_copy(update={"start": start, "end": end,
                                            "provider_id": provider_id or appt.provider_id})
            problems = self.tab.service.problems(draft, ignore={item_id})
        except ValueError as exc:
            problems = [str(exc)]
        override = False
        if problems and all("outside provider" in p for p in problems):
            override = dialogs.ask_yes_no(self.tab, "Outside available hours",
                                          problems[0] + "\n\nMove anyway? The override is recorded.")
        if problems and not override:
            view.refuse(f"Not moved: {problems[0]}")
            self.say(f"Not moved: {'; '.join(problems)}", error=True)
            return
        scope = dialogs.ask_scope(self.tab, "Move") if appt.series_id else "this"
        if scope is None:
            view.refuse("Move abandoned")
            return
        on_error = self._move_failed
        if scope == "following":
            minutes = int((end - start).total_seconds() // 60)
            self.ctx.run(self.tab.service.move_following, item_id, start_local, minutes=minutes,
                         override=override, on_done=lambda _s: self.tab.reload(),
                         on_error=on_error, what="moving appointments")
        else:
            self.ctx.run(self.tab.service.move, item_id, start, end, provider_id=provider_id, override=override,
                         on_done=lambda saved: self._moved(appt, saved), on_error=on_error,
                         what=f"moving {item_id}")

    def _moved(self, before: Appointment, after: Appointment) -> None:
        """Say what moved where (a drop used to be silent) and keep the way back for Ctrl+Z."""
        self.last_move = before
        self.tab.reload()
        name = patient_labels(self.ctx, {after.patient_id})[after.patient_id][0]
        self.say(f"Moved {after.id} ({name}) from {self._when(before)} to {self._when(after)}. "
                 "Ctrl+Z undoes.")

    def undo_move(self) -> None:
        """Put the last moved appointment back where it was (checked like any move)."""
        before, self.last_move = self.last_move, None
        if before is None:
            self.say("Nothing to undo.")
            return
        self.ctx.run(self.tab.service.move, before.id, before.start, before.end, provider_id=before.provider_id,
                     override=before.override_availability, on_done=self._undone, on_error=self._move_failed,
                     what=f"undoing the move of {before.id}")

    def _undone(self, saved: Appointment) -> None:
        self.tab.reload()
        self.say(f"Undone: {saved.id} is back at {self._when(saved)}.")

    def _when(self, appt: Appointment) -> str:
        start = utc_to_wall(appt.start, self.tab.service.zone)
        provider = self.tab.service.providers.get(appt.provider_id)
        return f"{start:%a %d %b %H:%M} with {provider.name if provider else appt.provider_id}"

    def _move_failed(self, exc: BaseException) -> bool:
        view = self.tab.day_view if self.tab.mode == "day" else self.tab.week_view
        text = "; ".join(exc.problems) if isinstance(exc, BookingError) else str(exc)
        view.refuse(f"Not moved: {text}")
        self.say(f"Not moved: {text}", error=True)
        return isinstance(exc, ValueError)

    # ----- booking --------------------------------------------------------------------
    def open_booking(self, **prefill: Any) -> BookingDialog:
        chosen = self.tab.provider_box.currentData()
        prefill.setdefault("provider_id", chosen or "")
        if not prefill.get("patient_id"):
            prefill["patient_id"] = self.ctx.current_patient.patient_id  # booking usually follows looking at a patient
        self.dialog = BookingDialog(self.ctx, parent=self.tab, **prefill)
        self.dialog.sig_appointments_booked.connect(self._booked)
        self.dialog.sig_series_skipped.connect(self.say)
        self.dialog.open()
        return self.dialog

    def open_providers(self) -> ProvidersDialog:
        self.providers_dialog = ProvidersDialog(self.ctx, parent=self.tab)
        self.providers_dialog.open()
        return self.providers_dialog

    def book_at(self, start_local: datetime, provider_id: str | None) -> None:
        self.open_booking(start=start_local, provider_id=provider_id or "")

    def open_booking_request(self, request: dict[str, Any]) -> None:
        """The Record's 'book follow-up': patient, start and reason arrive prefilled."""
        self.ctx.navigation.show_tab("Schedule")  # bring this tab forward before the dialog opens
        start = request.get("start")
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, datetime.min.time().replace(hour=9))
        self.open_booking(patient_id=str(request.get("patient_id", "")), start=start,
                          reason=str(request.get("reason", "")),
                          provider_id=str(request.get("provider_id", "") or ""))

    def _booked(self, ids: list[str]) -> None:
        self.say(f"Booked {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}")
        self.tab.reload()

    # ----- exports --------------------------------------------------------------------
    def export_calendar(self) -> None:
        """Provider filter chosen: that provider's calendar; else the selected appointment's patient."""
        provider_id = self.tab.provider_box.currentData() or ""
        appt = self.selected()
        if not provider_id and appt is None:
            self.say("Choose a provider or select an appointment of the patient to export.", error=True)
            return
        who = provider_id or (appt.patient_id if appt else "")
        path = dialogs.choose_save_path(self.tab, "Export iCalendar", f"{who}.ics", "iCalendar (*.ics)")
        if not path:
            return

        def write() -> str:
            # Here, on the writer: importing icalendar with the tab froze the window ~0.12 s.
            from hms_desktop.services.ics import export_ics

            data = export_ics(self.tab.service, provider_id=provider_id or None,
                              patient_id=None if provider_id else who)
            replace_file(Path(path), data)  # never half a file, even if read at once
            return path

        self.ctx.run(write, on_done=lambda p: self.say(f"Wrote {p}"), on_error=self._failed,
                     what="exporting calendar")

    def export_day_sheet(self) -> None:
        appt = self.selected()
        provider_id = self.tab.provider_box.currentData() or (appt.provider_id if appt else "")
        if not provider_id:
            self.say("Choose a provider (or select one of their appointments) for the day sheet.",
                     error=True)
            return
        path = dialogs.choose_save_path(self.tab, "Day sheet", f"day-sheet-{provider_id}-{self.tab.day}.pdf",
                                        "PDF (*.pdf)")
        if not path:
            return
        start, end = day_bounds_utc(self.tab.day, self.tab.service.zone)
        from hms_desktop.ui.schedule.tab import to_items

        items = to_items(self.ctx, self.tab.service, self.tab.service.briefs_between(start, end, [provider_id]))
        name = self.tab.provider_names.get(provider_id, provider_id)
        self.ctx.run(write_day_sheet, Path(path), name, self.tab.day, items,
                     on_done=lambda p: self.say(f"Wrote {p}"), on_error=self._failed,
                     what="writing day sheet")
