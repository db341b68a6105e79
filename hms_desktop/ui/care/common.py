"""Pieces every care page shares: naming, a read-only rows model, number fields that
name themselves in errors, a message line, and a page that follows the current patient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.ui.common.naming import named as named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

W = TypeVar("W", bound=QWidget)

ERROR_STYLE = "color: #b00020; font-weight: bold;"
WARNING_STYLE = "color: #8a5a00; font-weight: bold;"
OK_STYLE = "color: #1b5e20;"
LATE_BRUSH = QBrush(QColor(255, 235, 200))



def describe_error(exc: BaseException) -> str:
    """A pydantic error as the user reads it: field and message, no URLs or types."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{loc.replace('_', ' ')}: {msg}" if loc else msg)
        return "; ".join(parts)
    return str(exc)


def local_text(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in the workstation's zone."""
    return at.astimezone().strftime(fmt)


def utc_now() -> datetime:
    return datetime.now(UTC)


class NumberField(QLineEdit):
    """A number that may be left empty ("not measured"). ``value()`` raises ValueError naming
    the field, so a typo never becomes 0 and never half-saves a form."""

    def __init__(self, name: str, label: str, *, integer: bool, placeholder: str = "") -> None:
        super().__init__()
        named(self, name, label)
        self.label = label
        self.integer = integer
        self.setPlaceholderText(placeholder or "not measured")

    def value(self) -> float | int | None:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return int(text) if self.integer else float(text)
        except ValueError:
            kind = "a whole number" if self.integer else "a number"
            raise ValueError(f"{self.label}: '{self.text().strip()}' is not {kind}") from None


class MessageLine(QLabel):
    """One line under a form: errors in red, warnings in amber, confirmations in green."""

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__()
        named(self, name, accessible)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_error(self, text: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)

    def show_warning(self, text: str) -> None:
        self.setStyleSheet(WARNING_STYLE)
        self.setText(text)

    def show_ok(self, text: str) -> None:
        self.setStyleSheet(OK_STYLE)
        self.setText(text)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole  # looked up once: data() runs ~16,000 times a paint


class RowsModel(QAbstractTableModel):
    """Read-only table with a key per row and optional highlighted rows.

    Rows are formatted when first shown (``set_items``): a record of 5,000 sets formats
    the thirty rows on screen, not all of them, when the patient opens.
    """

    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._items: Sequence[Any] = []
        self._format: Callable[[Any], Sequence[str]] = lambda row: row
        self._text: dict[int, list[str]] = {}
        self._keys: list[str] = []
        self._marked: set[int] = set()

    def set_rows(self, rows: Sequence[Sequence[str]], keys: Sequence[str],
                 marked: set[int] | None = None) -> None:
        """Rows already as text."""
        self.set_items(rows, keys, lambda row: row, marked)

    def set_items(self, items: Sequence[Any], keys: Sequence[str],
                  format_row: Callable[[Any], Sequence[str]],
                  marked: set[int] | None = None) -> None:
        self.beginResetModel()
        self._items, self._format, self._text = items, format_row, {}
        self._keys, self._marked = list(keys), set(marked or ())
        self.endResetModel()

    def key(self, row: int) -> str:
        return self._keys[row]

    def row_of(self, key: str) -> int:
        return self._keys.index(key)

    def cell(self, row: int, column: int) -> str:
        text = self._text.get(row)
        if text is None:
            text = self._text[row] = [str(c) for c in self._format(self._items[row])]
        return text[column]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY or role == _ACCESSIBLE:
            return self.cell(index.row(), index.column()) if index.isValid() else None
        if role == _BACKGROUND and index.row() in self._marked:
            return LATE_BRUSH
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


class PatientPage(QWidget):
    """A page about the current patient: reloads when the patient changes or when a change
    event names one of ``tables``; the bus alone reloads it, its own saves included (their
    change event arrives before the save's completion)."""

    tables: tuple[str, ...] = ()

    def __init__(self, ctx: AppContext, name: str, title: str) -> None:
        super().__init__()
        named(self, name, title)
        self.ctx = ctx
        self.layout_ = QVBoxLayout(self)
        self.no_patient = named(QLabel("Select a patient to see their record."),
                                f"{name}_no_patient", f"{title}: no patient selected")
        self.layout_.addWidget(self.no_patient)
        # A page built after the patient was chosen (pages are built on first view) must not
        # claim that no patient is selected.
        self.no_patient.setVisible(not self.patient_id)
        self.unreadable = MessageLine(f"{name}_unreadable", f"{title}: unreadable rows")
        self.unreadable.hide()
        self.layout_.addWidget(self.unreadable)
        ctx.current_patient.sig_patient_changed.connect(self._on_patient)
        ctx.changes.sig_changed.connect(self._on_change)

    @property
    def patient_id(self) -> str:
        return str(self.ctx.current_patient.patient_id or "")

    def _on_patient(self, _patient_id: str) -> None:
        self.no_patient.setVisible(not self.patient_id)
        self.reload()

    def _on_change(self, change: Any) -> None:
        if change.table in self.tables:
            self.reload()

    def reload(self) -> None:  # pragma: no cover - every page overrides
        raise NotImplementedError

    def show_unreadable(self, items: Sequence[object]) -> None:
        """Rows that exist on disk but fail validation: said, never silently left out."""
        self.unreadable.setVisible(bool(items))
        if items:
            self.unreadable.show_error(
                f"{len(items)} saved rows cannot be shown until corrected in the data folder "
                "(File › Check data): " + "; ".join(str(i) for i in items))

    def save(self, fn: Callable[..., Any], model: Any, *, message: MessageLine, what: str,
             ok_text: str, warnings: Sequence[str] = (), warn_prefix: str = "Saved with warnings: ",
             after: Callable[[Any], None] | None = None) -> None:
        """Save on the writer; then say so, in amber with the warnings when there are any."""
        def done(saved: Any) -> None:
            if after is not None:
                after(saved)
            if warnings:
                message.show_warning(warn_prefix + "; ".join(warnings))
            else:
                message.show_ok(ok_text)

        self.run(fn, model, message=message, what=what, on_done=done)

    def run(self, fn: Callable[..., Any], *args: Any, message: MessageLine, what: str,
            on_done: Callable[[Any], None] | None = None, **kw: Any) -> None:
        """Run a write on the writer; errors land on ``message`` (no extra message box)."""
        def failed(exc: BaseException) -> bool:
            message.show_error(describe_error(exc))
            return True

        self.ctx.run(fn, *args, on_done=on_done, on_error=failed, what=what, **kw)


def patient_name(services: Any, patient_id: str) -> str:
    """The patient's display name when the Patients feature is present, else ""."""
    patients = getattr(services, "patients", None)
    if patients is None:
        return ""
    display = getattr(patients, "display_name", None)
    if callable(display):
        return str(display(patient_id))
    p = patients.get(patient_id)
    return f"{getattr(p, 'given_name', '')} {getattr(p, 'family_name', '')}".strip() if p else ""


def text_label(name: str, text: str) -> QLabel:
    """A named static label (screen readers announce it; tests find it)."""
    return named(QLabel(text), name, text.replace("&", ""))


def label_for(widget: QWidget, text: str) -> QLabel:
    """The label of a field: its buddy, so Alt+letter reaches the field."""
    label = named(QLabel(text), f"{widget.objectName()}_label", f"{text.replace('&', '')} label")
    label.setBuddy(widget)
    return label


def add_form_rows(form: QFormLayout, rows: Sequence[tuple[str, QWidget]]) -> None:
    for text, widget in rows:
        form.addRow(label_for(widget, text), widget)


def add_labelled(row: QHBoxLayout, pairs: Sequence[tuple[str, QWidget]]) -> None:
    """Label + widget pairs along a bar."""
    for text, widget in pairs:
        row.addWidget(label_for(widget, text))
        row.addWidget(widget)


RESIZE_ROWS = 50


def make_table(name: str, accessible: str, model: RowsModel, *, stretch: bool = False) -> QTableView:
    """A read-only, row-selecting table view (Enter on a row emits ``activated``)."""
    table = named(QTableView(), name, accessible)
    table.setModel(model)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.ResizeToContents
    header.setSectionResizeMode(mode)
    # Size columns from the first rows only: measuring all 5,000 sets of a long record
    # cost seconds of data() calls. Rows get one fixed height for the same reason.
    header.setResizeContentsPrecision(RESIZE_ROWS)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def show_history(page: PatientPage, model: type[Any], record_id: str, title: str,
                 history: Callable[[str], list[Any]]) -> None:
    """Every saved version (who, when, what changed), read on the writer, then shown."""
    # Imported here: ui.record lists the care pages, so a module-level import would cycle.
    from hms_desktop.ui.record.history_dialog import HistoryDialog

    def show(versions: list[Any]) -> None:
        open_window(HistoryDialog(model, title, versions, page))

    page.ctx.run(history, record_id, on_done=show, what=f"history of {record_id}")


def open_window(window: QWidget, *, modal: bool = True) -> QWidget:
    """Show a dialog or window that frees itself when closed (no listeners left behind)."""
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if modal and hasattr(window, "open"):
        window.open()
    else:
        window.show()
    return window
