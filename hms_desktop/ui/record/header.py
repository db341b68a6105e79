"""The always-visible record header: who the patient is and, above all, their allergies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hms_desktop.domain.record import AllergyStatement
from hms_desktop.services import topics
from hms_desktop.ui.common.elided_label import ElidedLabel
from hms_desktop.ui.interop.actions import record_header_button
from hms_desktop.ui.record.clock import wall_text
from hms_desktop.ui.record.header_facts import find_patient, header_facts
from hms_desktop.ui.record.summary_html import printed_at, summary_html
from hms_desktop.ui.record.summary_pdf import PageFrame, print_html_to_pdf
from hms_desktop.ui.record.widgets import button, named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext
    from hms_desktop.ui.queries import Query, TaskState

BANNER_STYLE = {
    "allergies": "background:#c62828; color:white; font-weight:bold; padding:6px;",
    "no_known_allergies": "background:#e8f5e9; color:#1b5e20; padding:6px;",
    "not_recorded": "background:#fff8e1; color:#6d4c00; padding:6px; font-style:italic;",
}
HEADER_TABLES = frozenset({topics.ALLERGIES, topics.ALLERGY_STATEMENTS, topics.PATIENTS})


class RecordHeader(QWidget):
    sig_summary_written = Signal(str)
    """A summary PDF was written: its path."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "record_header", "Patient header")
        self.ctx = ctx
        self.patient_id = ""
        self.writing_summary = False
        # User text (a 480-character name) must never widen the window: elided, whole in the tooltip.
        self.identity = ElidedLabel("", self)
        named(self.identity, "record_identity", "Patient identity")
        font = self.identity.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.identity.setFont(font)
        self.status_label = named(QLabel("", self), "record_status", "Patient status")
        self.status_label.setStyleSheet("color:#b00020; font-weight:bold;")
        self.banner = QLabel("", self)
        named(self.banner, "allergy_banner", "Allergy banner")
        self.banner.setWordWrap(True)
        self.nka_button = button(self, "Record &no known allergies", "record_nka", "Record no known allergies")
        self.nka_button.clicked.connect(self.record_no_known_allergies)
        self.print_button = button(self, "&Print summary…", "print_summary", "Print summary to PDF")
        self.print_button.clicked.connect(self.choose_summary_file)
        self.message = QLabel("", self)
        named(self.message, "header_message", "Header message")
        top = QHBoxLayout()
        top.addWidget(self.identity, 1)
        top.addWidget(self.status_label)
        top.addWidget(self.nka_button)
        top.addWidget(self.print_button)
        top.addWidget(record_header_button(self, ctx))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.message)
        ctx.current_patient.sig_patient_changed.connect(self.set_patient)
        ctx.changes.sig_changed.connect(self._on_change)
        self.set_patient(ctx.current_patient.patient_id or "")

    def _on_change(self, change: Any) -> None:
        if getattr(change, "table", None) in HEADER_TABLES:
            self.refresh()

    def set_patient(self, patient_id: str) -> None:
        self.patient_id = patient_id or ""
        self.message.setText("")
        self.refresh()

    def refresh(self) -> None:
        has_patient = bool(self.patient_id)
        self.nka_button.setEnabled(has_patient)
        self.print_button.setEnabled(has_patient and not self.writing_summary)
        if not has_patient:
            self.identity.setText("No patient selected — choose a patient in the Patients tab.")
            self.status_label.setText("")
            self.banner.setText("")
            self.banner.hide()
            return
        facts = header_facts(self.patient_id, find_patient(self.ctx.services, self.patient_id))
        parts = [facts.name or "(name not available)",
                 f"ID {facts.patient_id}",
                 f"Age {facts.age}" if facts.age else "Age not recorded",
                 facts.sex if facts.sex else "Sex not recorded",
                 f"Blood group {facts.blood_group}" if facts.blood_group else "Blood group not recorded"]
        self.identity.setText(" · ".join(parts))
        self.status_label.setText(facts.status.upper())
        banner = self.ctx.services.record.allergy_banner(self.patient_id)
        self.banner.setText(banner.text)
        self.banner.setAccessibleDescription(banner.text)
        saved = self.ctx.services.record.allergy_statement_saved(self.patient_id)
        if banner.state == "no_known_allergies" and saved is not None:
            by, at = saved
            when = wall_text(at) if at else "an unknown time"
            self.banner.setToolTip(f"Recorded by {by} at {when}")
        else:
            self.banner.setToolTip("")
        self.banner.setStyleSheet(BANNER_STYLE[banner.state])
        self.banner.setProperty("alert", banner.alert)
        self.banner.show()
        self.nka_button.setEnabled(banner.state == "not_recorded" and not self.ctx.session.read_only)

    def record_no_known_allergies(self) -> None:
        if not self.patient_id:
            return
        self.ctx.run(self.ctx.services.record.set_allergy_statement, self.patient_id,
                     AllergyStatement.NO_KNOWN_ALLERGIES, on_done=lambda _r: self.refresh(), on_error=self._failed,
                     what="recording 'no known allergies'")

    def _failed(self, error: BaseException) -> bool:
        self.message.setText(f"Not saved: {error}")
        return True

    def choose_summary_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save patient summary", f"summary-{self.patient_id}.pdf",
                                              "PDF (*.pdf)")
        if path:
            self.print_summary_to(Path(path))

    def print_summary_to(self, path: Path) -> Query:
        """Write the patient's summary PDF on a reader thread (a long record lays out for
        seconds): the window keeps running, the message says how far it is, and the button
        waits until the file is written (a second click would race the first)."""
        patient_id, services, settings = self.patient_id, self.ctx.services, self.ctx.settings

        def write(state: TaskState) -> Path:
            clinic = settings.clinic_name
            html = summary_html(services, patient_id, clinic=clinic, address=settings.clinic_address)
            facts = header_facts(patient_id, find_patient(services, patient_id))
            who = f"{facts.name} ({patient_id})" if facts.name else patient_id
            frame = PageFrame(f"Patient summary — {who}" + (f" — {clinic}" if clinic else ""),
                              f"Printed {printed_at()} — confidential patient information")
            state.check()
            return print_html_to_pdf(html, path, f"Patient summary {patient_id}", frame,
                                     on_page=lambda n, pages: state.progress(n, pages, "pages"))

        def written(done: Path) -> None:
            self._summary_over()
            self.message.setText(f"Summary of {patient_id} saved to {done}")
            self.sig_summary_written.emit(str(done))

        def failed(error: BaseException) -> bool:
            self._summary_over()
            self.message.setText(f"Summary of {patient_id} not written: {error}")
            return True

        self.writing_summary = True
        self.print_button.setEnabled(False)
        self.message.setText(f"Writing the summary of {patient_id}…")
        return self.ctx.query(
            write, what=f"the summary of {patient_id} to {path}", failed_text="Could not write",
            on_done=written, on_error=failed,
            on_progress=lambda n, pages, _t: self.message.setText(
                f"Writing the summary of {patient_id}… page {n} of {pages}"))

    def _summary_over(self) -> None:
        self.writing_summary = False
        self.print_button.setEnabled(bool(self.patient_id))
