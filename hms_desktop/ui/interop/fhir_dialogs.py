"""FHIR from the window: export a patient's Bundle or every patient as Bulk NDJSON, and import
a Patient bundle after a preview that shows the duplicate check and what will be added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.interop.fhir_export import BulkResult, bulk_export, patient_bundle, write_json
from hms_desktop.interop.fhir_import import (
    FhirPreview,
    apply_import,
    drop_present,
    preview_import,
    read_bundle,
)
from hms_desktop.services.container import build_services

from .jobs import JobRunner


def export_patient_bundle(services: Any, patient_id: str, path: Path) -> Path:
    """Worker-thread job: build, validate and write one patient's Bundle."""
    write_json(path, patient_bundle(services, patient_id))
    return path


def load_bundle_preview(services: Any, path: Path, phone_region: str) -> tuple[list[Any], FhirPreview]:
    resources = read_bundle(path)
    return resources, preview_import(resources, services, phone_region=phone_region)


class BulkExportDialog(QDialog):
    """Progress and Cancel for a whole-folder export (a cancelled export leaves nothing)."""

    def __init__(self, ctx: Any, out_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fhir_bulk_dialog")
        self.setAccessibleName("FHIR bulk export")
        self.setWindowTitle("FHIR bulk export")
        self.outcome: BulkResult | None = None
        layout = QVBoxLayout(self)
        self.status = QLabel(f"Exporting every patient to {out_dir}…")
        self.status.setObjectName("fhir_bulk_status")
        self.status.setAccessibleName("Export status")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("fhir_bulk_progress")
        self.bar.setAccessibleName("Export progress")
        self.button = QPushButton("&Cancel")
        self.button.setObjectName("fhir_bulk_cancel")
        self.button.setAccessibleName("Cancel")
        self.button.clicked.connect(self.reject)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)
        self.jobs = JobRunner(self)
        self.jobs.sig_progress.connect(self._show_progress)
        # Every patient's record leaves the clinic: a backup in another format, allowed to whoever
        # may back up (checked and logged as them; docs/security.md). No role both backs up and
        # reads every record, so the reads go through services of the explicit system actor
        # (as `fhir-export` on the command line); with the signed-in administrator's own
        # services every read was refused and nobody could export. Those services are built on
        # the job's thread, after the permission check, never on the GUI thread.
        store = ctx.services.store

        def export_as_system(out: Path, **options: Any) -> BulkResult:
            return bulk_export(build_services(store), out, **options)

        self.jobs.start(ctx.services.folder.export_clinic, export_as_system, out_dir,
                        progress=self.jobs.progress,
                        cancel=self.jobs.cancel, on_done=self._done, on_error=self._failed)


    def _show_progress(self, step: str, fraction: float) -> None:
        self.bar.setValue(round(fraction * 100))
        self.bar.setFormat(f"{step} (%p%)")
    def _done(self, result: BulkResult) -> None:
        self.outcome = result
        self.bar.setValue(100)
        self.status.setText(f"Exported {result.patients:,} patients ({result.total:,} resources) "
                            f"to {result.out_dir}.")
        self.button.setText("&Close")

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"Nothing exported: {exc or 'cancelled'}")
        self.button.setText("&Close")

    def done(self, result: int) -> None:
        self.jobs.stop()
        super().done(result)


class FhirImportDialog(QDialog):
    """The preview: who the bundle is about, likely existing records, what will be added."""

    def __init__(self, ctx: Any, preview: FhirPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fhir_import_dialog")
        self.setAccessibleName("Import FHIR bundle")
        self.setWindowTitle("Import FHIR bundle")
        self.ctx = ctx
        self.preview = preview
        self.patient_id = ""
        p = preview.patient
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{p.full_name}</b>, born {p.date_of_birth.isoformat()}, {p.sex.value}"))
        form = QFormLayout()
        self.target = QComboBox()
        self.target.setObjectName("fhir_import_target")
        self.target.setAccessibleName("Add to")
        if preview.matches:
            for m in preview.matches:
                name = ctx.services.patients.display_name(m.id)
                self.target.addItem(f"Existing record {m.id} — {name} ({m.score:.0%}: "
                                    f"{', '.join(m.reasons)})", m.id)
            self.target.addItem("A new patient (I checked: not the same person)", "")
        else:
            self.target.addItem("A new patient", "")
        form.addRow("&Add to:", self.target)
        layout.addLayout(form)
        self.details = QListWidget()
        self.details.setObjectName("fhir_import_details")
        self.details.setAccessibleName("What will be added")
        self.details.addItems([f"Add: {line}" for line in preview.summary()] or ["Add: nothing"])
        self.details.addItems([f"Not imported: {line}" for line in preview.skipped])
        layout.addWidget(self.details, 1)
        self.status = QLabel("")
        self.status.setObjectName("fhir_import_status")
        self.status.setAccessibleName("Import status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("fhir_import_apply")
        self.import_button.setAccessibleName("Import")
        self.import_button.clicked.connect(self.apply)
        self.import_button.setEnabled(not ctx.read_only)
        cancel = QPushButton("&Cancel")
        cancel.setObjectName("fhir_import_cancel")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        row.addWidget(self.import_button)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.resize(640, 420)

    def apply(self) -> None:
        target = str(self.target.currentData() or "")
        self.import_button.setEnabled(False)
        preview = self.preview
        if target:  # joining an existing record: add only what it lacks
            preview = preview_import_for(self.ctx, self.preview, target)
        self.ctx.run(apply_import, preview, self.ctx.services, target_id=target,
                     confirm_new=not target, on_done=self._imported, on_error=self._failed,
                     what=f"FHIR import of {self.preview.patient.full_name}")

    def _imported(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.ctx.navigation.open_patient(patient_id)
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        self.status.setText(f"Nothing imported: {exc}")
        self.import_button.setEnabled(True)
        return True


def preview_import_for(ctx: Any, preview: FhirPreview, target: str) -> FhirPreview:
    """The same additions, minus what the chosen existing record already holds."""
    narrowed = FhirPreview(preview.patient, [], {s: list(r) for s, r in preview.additions.items()},
                           preview.no_known_allergies, list(preview.skipped))
    drop_present(narrowed, ctx.services, target)
    return narrowed
