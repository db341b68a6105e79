"""The interop entries of the main window's File menu, and scan-to-find.

``InteropMenus`` adds File ▸ Import…, File ▸ Import FHIR bundle…, File ▸ Export ▸ (this
patient's FHIR bundle, every patient as FHIR Bulk NDJSON) and File ▸ Print label or
wristband…, and installs the scanner key filter on the application. The main window creates
it with its File menu and hands it the AppContext when the folder is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from hms_desktop.domain.accounts import Permission
from hms_desktop.interop.labels import LabelKind

from .actions import export_bundle, open_label_dialog
from .fhir_dialogs import BulkExportDialog, FhirImportDialog, load_bundle_preview
from .import_dialog import ImportDialog
from .jobs import JobRunner
from .label_dialog import LabelDialog
from .scan_filter import ScanFilter


class InteropMenus(QObject):
    def __init__(self, window: QWidget, file_menu: QMenu, before: QAction | None,
                 open_dialog: Callable[[QWidget], None]) -> None:
        super().__init__(window)
        self.window = window
        self.ctx: Any = None
        self._open = open_dialog
        self.jobs = JobRunner(self)
        # Never while the window is locked: a scan must not open a patient behind the lock screen.
        self.scan_filter = ScanFilter(self, active=lambda: QApplication.activeWindow() is window
                                      and not window.property("hms_locked"))
        self.scan_filter.sig_scanned.connect(self.open_scanned)
        self.actions: list[QAction] = []
        self.action_import = self._add(file_menu, before, "&Import…", "import", self.open_import)
        self.action_import_fhir = self._add(file_menu, before, "Import FHIR b&undle…",
                                            "import_fhir", self.choose_fhir_bundle)
        export_menu = QMenu("&Export", file_menu)
        export_menu.setObjectName("export_menu")
        file_menu.insertMenu(before, export_menu) if before else file_menu.addMenu(export_menu)
        self.action_export_fhir = self._add(export_menu, None, "&FHIR bundle of this patient…",
                                            "export_fhir_bundle", self.export_bundle)
        self.action_export_bulk = self._add(export_menu, None, "FHIR bulk export of &every patient…",
                                            "export_fhir_bulk", self.export_bulk)
        self.action_label = self._add(file_menu, before, "Print &label or wristband…",
                                      "print_label", self.print_label, "Ctrl+Shift+L")
        if before is not None:
            file_menu.insertSeparator(before)

    def _add(self, menu: QMenu, before: QAction | None, text: str, name: str,
             slot: Callable[[], object], shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"action_{name}")
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        action.setEnabled(False)
        if before is not None:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
        self.actions.append(action)
        return action

    def attach(self, ctx: Any) -> None:
        """The folder is open: enable the actions and start listening for scans."""
        self.ctx = ctx
        for action in self.actions:
            action.setEnabled(True)
        writes = not ctx.read_only
        self.action_import.setEnabled(writes)
        self.action_import_fhir.setEnabled(writes)
        guard = ctx.write_guard  # what the signed-in role may do (docs/security.md)
        guard.register(self.action_import, self.action_import_fhir, needs=Permission.EDIT_DEMOGRAPHICS)
        guard.register(self.action_export_fhir, needs=Permission.VIEW_RECORD, writes=False)
        guard.register(self.action_export_bulk, needs=Permission.BACKUP_RESTORE, writes=False)
        guard.register(self.action_label, needs=Permission.VIEW_DEMOGRAPHICS, writes=False)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_filter)
        ctx.sig_closing.connect(self.detach)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scan_filter)
        self.jobs.stop()

    # -- scan to find -------------------------------------------------------------------
    def open_scanned(self, scanned: str) -> None:
        if self.ctx is None:
            return
        patients = self.ctx.services.patients
        if patients.get(scanned) is None:
            self.ctx.sig_status_posted.emit(f"Scanned {scanned}: no such patient in this folder")
            return
        patient_id = patients.resolve(scanned)
        self.ctx.navigation.open_patient(patient_id)
        note = f" (merged into {patient_id})" if patient_id != scanned else ""
        self.ctx.sig_status_posted.emit(f"Scanned {scanned}{note}: opened "
                                        f"{patients.display_name(patient_id)}")

    # -- actions --------------------------------------------------------------------------
    def _current_patient(self) -> str:
        patient_id = str(self.ctx.current_patient.patient_id) if self.ctx else ""
        if not patient_id:
            self._tell("Choose a patient first", "Open a patient (Patients tab, or scan their "
                                                 "label), then choose this again.")
        return patient_id

    def _tell(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName("interop_message")
        box.setAccessibleName(title)
        self._open(box)

    def open_import(self) -> ImportDialog | None:
        if self.ctx is None:
            return None
        dialog = ImportDialog(self.ctx, self.window)
        self._open(dialog)
        return dialog

    def print_label(self, kind: LabelKind = LabelKind.LABEL) -> LabelDialog | None:
        patient_id = self._current_patient()
        if not patient_id:
            return None
        return open_label_dialog(self.window, self.ctx, patient_id, kind)

    def export_bundle(self) -> None:
        patient_id = self._current_patient()
        if patient_id:
            export_bundle(self.window, self.ctx, self.jobs, patient_id)

    def export_bulk(self) -> BulkExportDialog | None:
        folder = QFileDialog.getExistingDirectory(self.window, "FHIR bulk export: choose a folder")
        if not folder or self.ctx is None:
            return None
        dialog = BulkExportDialog(self.ctx, Path(folder), self.window)
        self._open(dialog)
        return dialog

    def choose_fhir_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import FHIR bundle", "",
                                              "FHIR JSON (*.json)")
        if path:
            self.import_fhir_bundle(Path(path))

    def import_fhir_bundle(self, path: Path) -> None:
        ctx = self.ctx
        self.jobs.start(load_bundle_preview, ctx.services, path, ctx.settings.phone_region,
                        on_done=lambda found: self._open(FhirImportDialog(ctx, found[1], self.window)),
                        on_error=lambda exc: self._tell("Cannot import this file", str(exc)))
