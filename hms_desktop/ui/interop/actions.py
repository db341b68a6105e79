"""Interop actions on the current patient, shared by the File menu and the record header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from hms_desktop.interop.labels import LabelKind

from .fhir_dialogs import export_patient_bundle
from .jobs import JobRunner
from .label_dialog import LabelDialog, content_for


def open_label_dialog(parent: QWidget, ctx: Any, patient_id: str,
                      kind: LabelKind = LabelKind.LABEL) -> LabelDialog:
    dialog = LabelDialog(content_for(ctx.services, patient_id), kind, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def export_bundle(parent: QWidget, ctx: Any, jobs: JobRunner, patient_id: str,
                  path: Path | None = None) -> None:
    """Ask where (unless ``path``), then build, validate and write on the job thread."""
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(parent, "Export FHIR bundle",
                                                f"{patient_id}.fhir.json", "FHIR JSON (*.json)")
        if not chosen:
            return
        path = Path(chosen)
    jobs.start(export_patient_bundle, ctx.services, patient_id, path,
               on_done=lambda p: ctx.sig_status_posted.emit(f"FHIR bundle saved to {p}"),
               on_error=lambda exc: ctx.sig_status_posted.emit(f"FHIR export failed: {exc}"))


def record_header_button(parent: QWidget, ctx: Any) -> QToolButton:
    """"Label / FHIR" for the record header: label, wristband, FHIR bundle of the patient shown."""
    button = QToolButton(parent)
    button.setObjectName("record_interop")
    button.setAccessibleName("Labels and FHIR export")
    button.setText("Label / FHIR")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    jobs = JobRunner(button)
    ctx.sig_closing.connect(jobs.stop)
    menu = QMenu(button)
    menu.setObjectName("record_interop_menu")

    def current() -> str:
        return str(ctx.current_patient.patient_id or "")

    def add(text: str, name: str, slot: Any) -> None:
        action = menu.addAction(text)
        action.setObjectName(f"action_record_{name}")
        action.triggered.connect(lambda _=False: current() and slot(current()))

    add("Print &label…", "label", lambda pid: open_label_dialog(parent, ctx, pid))
    add("Print &wristband…", "wristband",
        lambda pid: open_label_dialog(parent, ctx, pid, LabelKind.WRISTBAND))
    add("Export &FHIR bundle…", "fhir", lambda pid: export_bundle(parent, ctx, jobs, pid))
    button.setMenu(menu)
    return button
