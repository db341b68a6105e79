"""Everything about the patient in one chronological list, filterable by kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.timeline import TimelineEntry
from hms_desktop.services.timeline import Timeline, collect_timeline
from hms_desktop.ui.record.clock import wall_text
from hms_desktop.ui.record.page_base import PatientPage
from hms_desktop.ui.record.widgets import named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext
    from hms_desktop.ui.queries import Query, TaskState

ALL_KINDS = "All kinds"
RELOAD_DELAY_MS = 250
HEADERS = ("When", "Kind", "What", "Detail")
_Index = QModelIndex | QPersistentModelIndex


class TimelineModel(QAbstractTableModel):
    """A model, not a widget per cell: ten years of a patient is thousands of rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[TimelineEntry] = []

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        e = self.entries[index.row()]
        column = index.column()
        if column == 0:
            return e.at.date().isoformat() if e.date_only else wall_text(e.at)
        return (e.kind, e.title, e.detail)[column - 1]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class TimelinePage(PatientPage):
    tables: frozenset[str] = frozenset()  # every change may add an entry: any table refreshes it

    sig_entry_activated = Signal(str, str)
    """The user opened a timeline entry: (table, record_id), for the tab to show its page."""
    sig_timeline_shown = Signal(str)
    """A loaded timeline is on screen: the patient it is about ("" for none)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "record_page_timeline", "Timeline", parent)
        self.entries: list[TimelineEntry] = []
        self.shown_patient = ""  # whose entries are on screen; never another patient's while loading
        self.query: Query | None = None  # the latest load, while it runs
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self._reload_if_stale)
        self.kind_filter = QComboBox(self)
        self.kind_filter.setObjectName("timeline_kind_filter")
        self.kind_filter.setAccessibleName("Timeline kind filter")
        self.kind_filter.addItem(ALL_KINDS)
        self.kind_filter.currentTextChanged.connect(lambda _t: self._show())
        label = named(QLabel("&Show:", self), "timeline_show_label", "Show")
        label.setBuddy(self.kind_filter)
        self.notice = QLabel("", self)
        self.notice.setObjectName("timeline_notice")
        self.notice.setAccessibleName("Timeline notice")
        self.model = TimelineModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("timeline_table")
        self.table.setAccessibleName("Timeline")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.activated.connect(self._activated)  # double-click or Enter
        for column, width in enumerate((130, 110, 380)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.kind_filter)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)

    def _reload_if_stale(self) -> None:
        if self._stale:
            self.reload()

    def _on_change(self, change: Any) -> None:
        """Any feature may feed the timeline, so any change may matter; but live series
        (vitals appended every second) are skipped unless they name this patient, and bursts
        are coalesced into one reload."""
        if getattr(change, "op", "") == "append" and self.patient_id not in getattr(change, "ids", ()):
            return
        self._stale = True
        if self.isVisible() and not self._reload_timer.isActive():
            self._reload_timer.start()

    def refresh(self) -> None:
        """Load on a reader thread (up to 30 wearable day files): the window stays responsive,
        and a load for a patient the user has already left is cancelled and never shown."""
        patient_id = self.patient_id
        if patient_id != self.shown_patient:  # never another patient's entries meanwhile
            self.shown_patient, self.entries = "", []
            self._show()
        if not patient_id:
            self.ctx.queries.cancel(self._query_slot)
            self.query = None
            self.sig_timeline_shown.emit("")
            return
        services, sources = self.ctx.services, list(self.ctx.timeline_sources)

        def load(state: TaskState) -> Timeline:
            return collect_timeline(services, patient_id, sources, state=state)

        self.notice.setText("Loading the timeline…")
        self.query = self.ctx.query(
            load, what=f"the timeline of {patient_id}", slot=self._query_slot,
            on_done=lambda timeline: self._loaded(patient_id, timeline),
            on_error=self._failed, on_progress=self._progress)

    @property
    def _query_slot(self) -> str:
        return f"timeline-{id(self)}"

    def _progress(self, done: int, total: int, _source: str) -> None:
        self.notice.setText(f"Loading the timeline… ({done} of {total} sources read)")

    def _loaded(self, patient_id: str, timeline: Timeline) -> None:
        self.query = None
        if patient_id != self.patient_id:  # the slot cancels such loads; never show one anyway
            return
        self._show_timeline(patient_id, timeline)
        self.sig_timeline_shown.emit(patient_id)

    def _failed(self, error: BaseException) -> bool:
        self.query = None
        self.notice.setText(f"Could not load the timeline: {error}")
        return True

    def _show_timeline(self, patient_id: str, timeline: Timeline) -> None:
        self.shown_patient = patient_id
        self.entries = timeline.entries
        failed = timeline.failed_sources
        self.notice.setText(("Some entries could not be loaded: " + ", ".join(failed)) if failed else "")
        kinds = sorted({e.kind for e in self.entries})
        current = self.kind_filter.currentText()
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItems([ALL_KINDS, *kinds])
        self.kind_filter.setCurrentText(current if current in kinds else ALL_KINDS)
        self.kind_filter.blockSignals(False)
        self._show()

    def visible_entries(self) -> list[TimelineEntry]:
        kind = self.kind_filter.currentText()
        return [e for e in self.entries if kind in ("", ALL_KINDS) or e.kind == kind]

    def _activated(self, index: QModelIndex) -> None:
        entry = self.model.entries[index.row()]
        self.sig_entry_activated.emit(entry.table, entry.record_id)

    def _show(self) -> None:
        self.model.set_entries(self.visible_entries())
