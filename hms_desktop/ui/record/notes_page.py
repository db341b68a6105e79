"""Clinical notes: listed by original; "Amend…" adds a new note and the original stays visible
above its amendments in the detail pane (never replaced)."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from hms_desktop.domain.record import ClinicalNote, Section, active_notes_with_amendments
from hms_desktop.domain.record_fields import FormField
from hms_desktop.ui.record.entry_dialog import RecordEntryDialog
from hms_desktop.ui.record.section_model import SectionTableModel, display_value
from hms_desktop.ui.record.section_page import SectionPage, current_user

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

AMEND_HIDDEN = frozenset({"id", "patient_id", "amends", "at", "status"})


class NotesPage(SectionPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, Section.NOTES, parent)
        self.edit_button.setText("A&mend…")
        self.edit_button.setAccessibleName("Amend selected note")
        self._amendments: dict[str, list[ClinicalNote]] = {}
        self.model = SectionTableModel(ClinicalNote, self.info.inactive_status,
                                       extra=[FormField("amendment_count", "Amendments", "number", True)],
                                       parent=self)
        self.view.setModel(self.model)
        self.layout_columns()
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

    def new_entry_defaults(self) -> dict[str, Any]:
        return {"author": current_user(self.ctx)}

    def load_rows(self) -> list[Any]:
        notes = super().load_rows()
        groups = active_notes_with_amendments(notes)
        self._amendments = {original.id: amendments for original, amendments in groups}
        return [_NoteRow(original, len(amendments)) for original, amendments in groups]

    def detail_html(self, row: Any) -> str:
        note = row.note if isinstance(row, _NoteRow) else row
        parts = [_note_html(note, "Original")]
        for amendment in self._amendments.get(note.id, []):
            parts.append(_note_html(amendment, "Amendment"))
        return "<hr>".join(parts)

    def edit_selected(self) -> RecordEntryDialog | None:
        """Amend: a new note by the current user; the original is not touched."""
        row = self.selected()
        if row is None:
            return None
        original = row.note if isinstance(row, _NoteRow) else row
        dialog = RecordEntryDialog(ClinicalNote, f"Amend note {original.id}", original.patient_id,
                                   {"author": current_user(self.ctx), "text": original.text}, self, hidden=AMEND_HIDDEN)
        dialog.accepted.connect(lambda: self._save_amendment(original.id, dialog))
        return self._open(dialog)

    def _save_amendment(self, note_id: str, dialog: RecordEntryDialog) -> None:
        entry = dialog.entry()
        assert isinstance(entry, ClinicalNote)
        self.ctx.run(self.ctx.services.record.amend_note, note_id, entry.text, author=entry.author,
                     on_done=self._saved_amendment, on_error=self._failed,
                     what="saving note amendment")

    def _saved_amendment(self, saved: ClinicalNote) -> None:
        self.message.setText(f"Saved amendment {saved.id} to {saved.amends}.")
        self.reload()
        self.select_id(saved.amends)

    def select_id(self, record_id: str) -> bool:
        """An amendment is shown under its original: selecting it selects the original."""
        for original_id, amendments in self._amendments.items():
            if any(a.id == record_id for a in amendments):
                record_id = original_id
                break
        return super().select_id(record_id)

    def history_versions(self, row: Any) -> list[Any]:
        note = row.note if isinstance(row, _NoteRow) else row
        record = self.ctx.services.record
        versions = list(record.history(Section.NOTES, note.id))
        for amendment in self._amendments.get(note.id, []):
            versions.extend(record.history(Section.NOTES, amendment.id))
        return number_note_versions(versions)


def number_note_versions(versions: list[Any]) -> list[Any]:
    """The original and its amendments as one numbered chain, oldest first.

    Each amendment is its own stored record, so the store calls every one of them "version 1";
    the reader wants "the note as first written, then the 2nd, 3rd… version of it".
    """
    ordered = sorted(versions, key=lambda v: (v.at is None, v.at or 0, v.record.id, v.version))
    return [replace(v, version=n) for n, v in enumerate(ordered, start=1)]


class _NoteRow:
    """A note as listed: the stored note plus how many amendments it has."""

    def __init__(self, note: ClinicalNote, amendment_count: int) -> None:
        self.note = note
        self.amendment_count = amendment_count

    def __getattr__(self, name: str) -> Any:
        return getattr(self.note, name)


def _note_html(note: ClinicalNote, label: str) -> str:
    head = f"<b>{label}</b> {escape(note.id)} by {escape(note.author)}, {escape(display_value(note.at))}"
    if str(note.status) == "inactive":
        head += " <i>(inactive)</i>"
    return f"{head}<br>{escape(note.text).replace(chr(10), '<br>')}"
