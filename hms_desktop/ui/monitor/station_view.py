"""The nurse station: up to 16 bed tiles, the alarm list, global audio pause with countdown.

Clicking a tile (or Enter on it) shows that bed's full view in place; Back or Escape
returns. Tiles redraw on the controller's frame timer; numbers refresh on bed changes.

Small screens (1366×768, and 1920×1080 at 2× = 960×540 logical): the grid and the bed view
scroll instead of forcing the window larger, the grid's column count follows the width, and
the alarm list keeps its place beside them, so it is never pushed off-screen.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.ui.monitor.alarm_list import AlarmListView
from hms_desktop.ui.monitor.bed_tile import BedTile
from hms_desktop.ui.monitor.bed_view import BedView
from hms_desktop.ui.monitor.controller import STATION, StationController
from hms_desktop.ui.monitor.snapshot_dialog import SnapshotDialog
from hms_desktop.ui.monitor.widgets import button, label, named, row

MAX_TILES = 16
#: A tile's comfortable width; the grid shows as many columns as fit (at least one).
TILE_WIDTH = 240
ALARM_LIST_MIN_WIDTH = 240


def scrolling(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it: it shrinks with the window and
    scrolls when the window is smaller than its minimum, instead of growing the window."""
    area = named(QScrollArea(), name)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def wrapping_label(name: str) -> QLabel:
    """A message line that wraps and never widens its row (long error texts)."""
    lab = label(name)
    lab.setWordWrap(True)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return lab


class StationView(QWidget):
    sig_bed_shown = Signal(str)
    """The bed view now shows this bed ("" = back to the grid)."""

    def __init__(self, controller: StationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "nurse station")
        self.controller = controller
        self.tiles: dict[str, BedTile] = {}
        self.grid_page = named(QWidget(), "bed grid")
        self.grid = QGridLayout(self.grid_page)
        self.grid_scroll = scrolling(self.grid_page, "bed grid scroll area")
        self.grid_scroll.viewport().installEventFilter(self)  # columns follow the width
        self.columns = 1
        self.bed_view = BedView(controller)
        self.bed_scroll = scrolling(self.bed_view, "bed view scroll area")
        self.stack = named(QStackedWidget(), "station pages")
        self.stack.addWidget(self.grid_scroll)
        self.stack.addWidget(self.bed_scroll)
        self.alarm_list = AlarmListView(controller)
        self.alarm_list.setMinimumWidth(ALARM_LIST_MIN_WIDTH)
        self.pause_button = button("audio pause", "Audio &pause 2:00")
        self.pause_button.setCheckable(True)
        self.countdown = wrapping_label("audio pause countdown")
        self.audio_state = wrapping_label("audio state")
        self.message = wrapping_label("station message")
        self.recording_off = wrapping_label("recording off notice")
        self.recording_off.setStyleSheet("color: white; background: #b00020; padding: 2px 6px;")
        self.recording_off.setVisible(False)
        self.bed_actions: QObject | None = None  # the kiosk's BedActions (the tab has its own)
        self.patients_hidden = False
        top = row(self.pause_button, self.countdown, self.audio_state, self.message, stretch_before=2)
        splitter = named(QSplitter(), "station splitter")
        splitter.addWidget(self.stack)
        splitter.addWidget(self.alarm_list)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)  # the alarm list can be narrowed, never hidden
        layout = QVBoxLayout(self)
        layout.addWidget(self.recording_off)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.bed_view.sig_back_requested.connect(self.show_grid)
        self.alarm_list.sig_snapshot_requested.connect(self._open_snapshot)
        controller.sig_frame_ticked.connect(self._frame)
        controller.sig_beds_changed.connect(self.rebuild)
        controller.sig_alarms_changed.connect(self._numbers)
        controller.sig_audio_pause_changed.connect(self._pause_changed)
        self.rebuild()

    def rebuild(self) -> None:
        """Add tiles for new beds (order by position), refresh every tile's numbers."""
        beds = sorted(self.controller.monitors.values(), key=lambda m: (m.bed.position, m.bed.id))
        beds = beds[:MAX_TILES]
        if [m.bed.id for m in beds] != list(self.tiles):
            for tile in self.tiles.values():
                self.grid.removeWidget(tile)
                tile.deleteLater()
            self.tiles = {}
            for mon in beds:
                tile = BedTile(mon)
                tile.patients_hidden = self.patients_hidden
                tile.sig_bed_opened.connect(self.show_bed)
                self.tiles[mon.bed.id] = tile
            self._place_tiles(force=True)
        self._numbers()

    def _place_tiles(self, *, force: bool = False) -> None:
        """A square-ish grid, with no more columns than fit the visible width."""
        fit = max(1, self.grid_scroll.viewport().width() // TILE_WIDTH)
        square = max(1, math.ceil(math.sqrt(len(self.tiles))))
        cols = min(square, fit)
        if cols == self.columns and not force:
            return
        self.columns = cols
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for i, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, i // cols, i % cols)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.grid_scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._place_tiles()
        return False

    def set_recording_off(self, reason: str) -> None:
        """The window owns the folder but cannot write (a data problem): beds are still shown
        and alarmed; only recording is off, and the nurse is told so ("" hides the notice)."""
        self.recording_off.setText(f"Recording off: {reason}" if reason else "")
        self.recording_off.setVisible(bool(reason))

    def set_patients_hidden(self, hidden: bool) -> None:
        """While the main window is locked a companion station shows no patient name or ID
        (tiles, bed view, alarm lists); beds, numbers, alarms and audio pause keep working."""
        self.patients_hidden = hidden
        for tile in self.tiles.values():
            tile.patients_hidden = hidden
        self.bed_view.patients_hidden = self.alarm_list.patients_hidden = hidden
        self._numbers()
        self.bed_view.update_numbers()
        self.alarm_list.refresh_live()
        self.alarm_list.refill_history()

    def say(self, text: str) -> None:
        """A plain sentence for the nurse (a refused bed name, a port that would not open)."""
        self.message.setText(text)

    def _numbers(self) -> None:
        for tile in self.tiles.values():
            tile.update_numbers()
        station = self.controller.station_engine.alarms
        self.audio_state.setText("   ".join(a.text for a in station))

    def _frame(self) -> None:
        if self.stack.currentWidget() is not self.grid_scroll:
            return
        now = self.controller.clock()
        for tile in self.tiles.values():
            tile.refresh_frame(now)

    def show_bed(self, bed_id: str) -> None:
        self.bed_view.show_bed(bed_id)
        self.stack.setCurrentWidget(self.bed_scroll)
        self.bed_view.setFocus()
        self.sig_bed_shown.emit(bed_id)

    def show_grid(self) -> None:
        self.stack.setCurrentWidget(self.grid_scroll)
        first = next(iter(self.tiles.values()), None)
        if first is not None:
            first.setFocus()
        self.sig_bed_shown.emit("")

    def _pause_toggled(self, on: bool) -> None:
        if on:
            self.controller.pause_audio()
        else:
            self.controller.resume_audio()

    def _pause_changed(self, seconds_left: int) -> None:
        if seconds_left > 0:
            new = " — a NEW alarm is sounding" if self.controller.audio_pause_overridden else ""
            self.countdown.setText(f"Audio paused — {seconds_left // 60}:{seconds_left % 60:02d} left "
                                   f"(visual alarms stay on){new}")
        else:
            self.countdown.setText("")
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(seconds_left > 0)
        self.pause_button.blockSignals(False)

    def _open_snapshot(self, record: object) -> None:
        from hms_desktop.services.monitoring import AlarmRecord

        assert isinstance(record, AlarmRecord)
        if record.bed_id == STATION:
            return
        self.controller.run(self.controller.service.pleth_snapshot, record.alarm_id, record.started_at,
                            on_done=lambda snap: SnapshotDialog(record, snap, self).open(),
                            what="reading the saved waveform")
