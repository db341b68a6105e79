"""Record page "Referrals": the patient's referrals, a new draft, the workflow step bar,
the printed letter, and doors to the clinic-wide list and the department list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from hms_desktop.domain.referrals import Referral, ReferralStatus
from hms_desktop.services import topics
from hms_desktop.ui.care.common import (
    MessageLine,
    PatientPage,
    RowsModel,
    describe_error,
    make_table,
    named,
    open_window,
    show_history,
)
from hms_desktop.ui.care.departments_dialog import DepartmentsDialog
from hms_desktop.ui.care.referral_form import ReferralForm, StepBar
from hms_desktop.ui.care.referral_letter import (
    LetterPatient,
    LetterSender,
    print_letter,
    print_letter_pdf,
)
from hms_desktop.ui.care.referral_rows import HEADERS, referral_cells
from hms_desktop.ui.care.referrals_window import ReferralsWindow
from hms_desktop.ui.common.qt_dates import py_date

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext
    from hms_desktop.ui.queries import Query, TaskState


def letter_patient(services: Any, patient_id: str) -> LetterPatient:
    """Identity from the Patients feature and allergies from the Record feature, when present."""
    p = getattr(services, "patients", None)
    person = p.get(patient_id) if p is not None else None
    name = f"{getattr(person, 'given_name', '')} {getattr(person, 'family_name', '')}".strip()
    dob = getattr(person, "date_of_birth", None)
    sex = getattr(person, "sex", "")
    allergies: list[str] = []
    recorded = False
    record = getattr(services, "record", None)
    if record is not None and hasattr(record, "allergy_banner"):
        banner = record.allergy_banner(patient_id)
        if banner.state == "allergies":
            allergies = [banner.text.removeprefix("ALLERGIES: ")]
        recorded = banner.state != "not_recorded"
    return LetterPatient(name=name or patient_id, patient_id=patient_id,
                         date_of_birth=dob.isoformat() if dob else "",
                         sex=str(getattr(sex, "value", sex) or ""), allergies=allergies,
                         allergies_recorded=recorded)


class ReferralsPage(PatientPage):
    tables = (topics.REFERRALS, topics.DEPARTMENTS)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, "care_referrals_page", "Referrals")
        self.form = ReferralForm()
        self.form.referred_by.setText(ctx.session.actor)
        self.create_button = named(QPushButton("&Create draft"), "referral_create", "Create referral draft")
        self.create_button.clicked.connect(self._create)
        self.message = MessageLine("referral_message", "Referral message")
        self.model = RowsModel(HEADERS, self)
        self.table = make_table("referral_table", "Patient referrals", self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected_changed())
        self.steps = StepBar()
        self.steps.apply.clicked.connect(self._apply_step)
        self.letter = named(QPushButton("&Letter PDF…"), "referral_letter", "Print referral letter")
        self.letter.clicked.connect(self._print_letter)
        self.print_button = named(QPushButton("Print to p&rinter…"), "referral_print",
                                  "Print referral letter on a printer")
        self.print_button.clicked.connect(self._print_on_printer)
        self.print_dialog: QPrintDialog | None = None
        self.history = named(QPushButton("&History…"), "referral_history", "Referral history")
        self.history.clicked.connect(self._show_history)
        self.all_button = named(QPushButton("&All referrals…"), "referral_all", "All referrals list")
        self.all_button.clicked.connect(lambda: open_window(ReferralsWindow(self.ctx, self), modal=False))
        self.departments_button = named(QPushButton("&Departments…"), "referral_departments",
                                        "Edit departments")
        self.departments_button.clicked.connect(lambda: open_window(DepartmentsDialog(self.ctx, self)))
        # Where the letter goes: a save dialog for people, replaceable in tests.
        self.choose_pdf_path: Callable[[str], Path | None] = self._ask_pdf_path
        self.referrals: dict[str, Referral] = {}
        self.letter_query: Query | None = None  # the letter being written, if any

        top = QHBoxLayout()
        top.addWidget(self.form, 1)
        top.addWidget(self.create_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.letter)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.history)
        buttons.addStretch(1)
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.departments_button)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.steps)
        self.layout_.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        pid = self.patient_id
        svc = self.ctx.services.referrals
        selected = self.selected_id()
        self.form.set_departments([d.name for d in svc.departments()])
        rows = svc.for_patient(pid, date.today()) if pid else []
        self.show_unreadable(svc.unreadable_for(pid) if pid else [])
        self.referrals = {row.referral.id: row.referral for row in rows}
        self.model.set_rows([referral_cells(r.referral, r.overdue) for r in rows],
                            [r.referral.id for r in rows],
                            {i for i, r in enumerate(rows) if r.overdue})
        writable = bool(pid) and not self.ctx.session.read_only
        self.form.setEnabled(writable)
        self.create_button.setEnabled(writable)
        if selected in self.referrals:
            self.table.selectRow(self.model.row_of(selected))
        self._selected_changed()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.key(rows[0].row()) if rows else None

    def _selected_changed(self) -> None:
        ref = self.referrals.get(self.selected_id() or "")
        self.steps.set_status(ref.status if ref else None)
        self.letter.setEnabled(ref is not None and self.letter_query is None)
        self.print_button.setEnabled(ref is not None)
        self.history.setEnabled(ref is not None)

    def _create(self) -> None:
        try:
            ref = Referral(patient_id=self.patient_id, created_on=date.today(), **self.form.values())
        except ValueError as exc:
            self.message.show_error(f"Not saved. {describe_error(exc)}")
            return

        def done(saved: Referral) -> None:
            self.form.clear()
            self.message.show_ok(f"Draft {saved.id} created.")  # listed: the bus reloaded the page
            self.table.selectRow(self.model.row_of(saved.id))

        self.run(self.ctx.services.referrals.create, ref, message=self.message,
                 what="referral", on_done=done)

    def _apply_step(self) -> None:
        ref_id = self.selected_id()
        if ref_id is None:
            return
        to = ReferralStatus(self.steps.step.currentText())
        kw: dict[str, Any] = {"on": py_date(self.steps.on.date())}
        if to is ReferralStatus.BOOKED:
            kw["appointment_on"] = py_date(self.steps.appointment.date())
        if to is ReferralStatus.CANCELLED:
            kw["cancel_reason"] = self.steps.cancel_reason.text()

        def done(saved: Referral) -> None:
            self.steps.cancel_reason.clear()
            self.message.show_ok(f"{saved.id} is now '{saved.status.value}'.")

        self.run(self.ctx.services.referrals.advance, ref_id, to, message=self.message, what=f"referral {ref_id} step", on_done=done, **kw)

    def _show_history(self) -> None:
        ref_id = self.selected_id()
        if ref_id is not None:
            show_history(self, Referral, ref_id, f"History of referral {ref_id}",
                         self.ctx.services.referrals.history)

    def _ask_pdf_path(self, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save referral letter", suggested, "PDF (*.pdf)")
        return Path(path) if path else None

    def _print_letter(self) -> None:
        """Write the letter PDF on a reader thread (Qt lays it out for a noticeable moment);
        the button waits until it is written, the message says where it went."""
        ref = self.referrals.get(self.selected_id() or "")
        if ref is None or self.letter_query is not None:
            return
        path = self.choose_pdf_path(f"{ref.id}-{ref.patient_id}.pdf")
        if path is None:
            return
        services, sender = self.ctx.services, LetterSender.from_settings(self.ctx.settings, self.ctx.user)

        def write(_state: TaskState) -> Path:
            return print_letter_pdf(ref, letter_patient(services, ref.patient_id), path, sender=sender)

        def over() -> None:
            self.letter_query = None
            self._selected_changed()

        def written(done: Path) -> None:
            over()
            self.message.show_ok(f"Letter saved to {done}")

        def failed(exc: BaseException) -> bool:
            over()
            self.message.show_error(f"Letter not written: {exc}")
            return True

        self.letter.setEnabled(False)
        self.message.show_ok(f"Writing the letter for {ref.id}…")
        self.letter_query = self.ctx.query(write, what=f"the letter for {ref.id} to {path}",
                                           failed_text="Could not write", on_done=written, on_error=failed)

    def _print_on_printer(self) -> QPrintDialog | None:
        """The system print dialog (non-modal open: the window keeps running behind it)."""
        ref = self.referrals.get(self.selected_id() or "")
        if ref is None:
            return None
        # The dialog keeps only a pointer to its printer: the page must own it, or Python frees it.
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.print_dialog = QPrintDialog(self.printer, self)
        self.print_dialog.setObjectName("referral_print_dialog")
        self.print_dialog.setAccessibleName("Print referral letter")
        dialog = self.print_dialog
        dialog.accepted.connect(lambda: self._print_to(ref, dialog.printer()))
        QDialog.open(dialog)  # QPrintDialog.open() wants a receiver; the plain window-modal open
        return dialog

    def _print_to(self, ref: Referral, printer: QPrinter) -> None:
        print_letter(ref, letter_patient(self.ctx.services, ref.patient_id), printer,
                     sender=LetterSender.from_settings(self.ctx.settings, self.ctx.user))
        self.message.show_ok(f"Letter {ref.id} sent to {printer.printerName() or printer.outputFileName()}")


def create_referrals_page(ctx: AppContext) -> QWidget:
    return ReferralsPage(ctx)
