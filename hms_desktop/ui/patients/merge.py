"""PatientMergeDialog: merge a second record of the same person into this one, after a preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.patients import MergePreview
from hms_desktop.ui.context import describe_failure
from hms_desktop.ui.patients.common import name_widget
from hms_desktop.ui.patients.picker import PatientPicker

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


def preview_text(preview: MergePreview) -> str:
    """What the user reads before confirming: what the survivor gains and what follows it."""
    s, m = preview.survivor, preview.merged
    lines = [f"{m.id} {m.full_name} (born {m.date_of_birth}) will be marked merged into {s.id}.",
             f"{s.id} {s.full_name} keeps its own values and gains:"]
    lines += [f"  {c.field}: {c.old or '(empty)'} → {c.new}" for c in preview.changes
              if c.field != "merged_from"] or ["  (nothing new)"]
    if preview.references:
        lines.append("Records that will move to the surviving patient:")
        lines += [f"  {table}: {count}" for table, count in sorted(preview.references.items())]
    else:
        lines.append("No other records refer to the merged patient.")
    return "\n".join(lines)


class PatientMergeDialog(QDialog):
    sig_patients_merged = Signal(str)
    """The merge finished; carries the surviving patient's ID."""

    def __init__(self, ctx: AppContext, survivor_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.patients
        self.survivor_id = survivor_id
        self.other_id = ""
        name_widget(self, "patient_merge", "Merge patients")
        self.setWindowTitle(f"Merge another record into {survivor_id}")
        intro = QLabel(f"Keep <b>{self.service.display_name(survivor_id)}</b> ({survivor_id}). "
                       "Choose the duplicate record to merge into it:")
        name_widget(intro, "merge_intro", "Merge explanation")
        self.picker = PatientPicker(ctx, accessible_name="Duplicate record")
        self.picker.exclude = {survivor_id}
        self.picker.sig_patient_chosen.connect(self.show_preview)
        self.preview = name_widget(QPlainTextEdit(), "merge_preview", "Merge preview")
        self.preview.setReadOnly(True)
        self.preview.setPlainText("Choose a record to see what the merge will do.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = name_widget(self.buttons.button(QDialogButtonBox.StandardButton.Ok),
                                        "merge_button", "Merge")
        self.merge_button.setText("&Merge")
        self.merge_button.setEnabled(False)
        # Merging cannot be undone: Enter (which picks the duplicate in the search box) must
        # never also press Merge, so no button is a default (see keyPressEvent).
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        name_widget(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "cancel_button", "Cancel")
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        self.status = name_widget(QLabel(""), "merge_status", "Merge status")
        layout = QVBoxLayout(self)
        for w in (intro, self.picker, self.preview, self.status, self.buttons):
            layout.addWidget(w)
        self.resize(640, 420)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter never merges (QDialogButtonBox makes Merge the default button when shown);
        Merge takes a click, Space on the focused button, or Alt+M."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def show_preview(self, other_id: str) -> None:
        try:
            preview = self.service.merge_preview(self.survivor_id, other_id)
        except (KeyError, ValueError) as exc:
            self.other_id = ""
            self.preview.setPlainText(str(exc))
            self.merge_button.setEnabled(False)
            return
        self.other_id = other_id
        self.preview.setPlainText(preview_text(preview))
        self.merge_button.setEnabled(True)
        self.merge_button.setFocus()

    def merge(self) -> None:
        if not self.other_id:
            return
        self.merge_button.setEnabled(False)
        self.status.setText("Merging…")
        self.ctx.run(self.service.merge, self.survivor_id, self.other_id, on_done=self._done, on_error=self._failed, what="merging patients")

    def _done(self, survivor: Any) -> None:
        self.sig_patients_merged.emit(survivor.id)
        self.accept()

    def _failed(self, error: BaseException) -> bool:
        self.status.setText(f"Not merged: {describe_failure(error)}")
        self.merge_button.setEnabled(True)
        return True  # shown here; no message box on top
