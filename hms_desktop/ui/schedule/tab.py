"""The Schedule tab: toolbar, day / week / month views, agenda, and the actions on the
selected appointment. Reads come from the service's in-memory tables and index (instant);
every write goes through ``ctx.run`` on the background writer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.schedule_time import day_bounds_utc, utc_to_wall
from hms_desktop.domain.scheduling import AppointmentStatus
from hms_desktop.services import topics
from hms_desktop.services.schedule_index import Brief
from hms_desktop.services.scheduling import SchedulingService
from hms_desktop.ui.schedule import clinic_tz_name
from hms_desktop.ui.schedule.actions import ScheduleActions
from hms_desktop.ui.schedule.agenda import AgendaList
from hms_desktop.ui.schedule.items import CalendarItem, Column
from hms_desktop.ui.schedule.legend import StatusLegend
from hms_desktop.ui.schedule.month_view import NAMES_SHOWN, MonthView, month_grid_start
from hms_desktop.ui.schedule.naming import named
from hms_desktop.ui.schedule.patient_field import patient_labels
from hms_desktop.ui.schedule.time_grid import TimeGridView, week_columns

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

MODES = ("day", "week", "month")
_TABLES = topics.SCHEDULE
NO_PROVIDERS = "No providers yet: add doctors and nurses with Providers… (Alt+P), then book."
AGENDA_SHARE = 0.28
WEEK_READABLE = 3  # more providers side by side in a week column leaves no room for names  # the calendar is the main thing; the agenda list is its narrow twin


def scrolled(view: TimeGridView, name: str, accessible: str) -> QScrollArea:
    """A time grid that scrolls sideways when its columns would get narrower than readable."""
    area = named(QScrollArea(), name, accessible)
    area.setWidget(view)
    area.setWidgetResizable(True)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to the view itself
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area




def to_items(ctx: AppContext, service: SchedulingService, briefs: list[Brief]) -> list[CalendarItem]:
    """Index briefs as view items in clinic wall-clock time, titled with the patient's name."""
    names = patient_labels(ctx, {b.patient_id for b in briefs})
    walls: dict[int, datetime] = {}  # slot times repeat across providers: convert each once

    def wall(ts: int) -> datetime:
        value = walls.get(ts)
        if value is None:
            value = walls[ts] = datetime.fromtimestamp(ts, service.zone).replace(tzinfo=None)
        return value

    return [CalendarItem(b.id, wall(b.start), wall(b.end), b.provider_id, b.patient_id,
                         f"{names[b.patient_id][0]} · {b.reason or 'appointment'}",
                         names[b.patient_id][1], AppointmentStatus(b.status)) for b in briefs]


class ScheduleTab(QWidget):
    """Owns the shown period and mode; views only draw and report gestures."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        QWidget.__init__(self, parent)
        named(self, "schedule_tab", "Schedule")
        self.ctx = ctx
        self.service: SchedulingService = ctx.services.scheduling
        self.mode = "day"
        self.day = self.today()
        self.selected_id = ""
        self.items: list[CalendarItem] = []
        self.provider_names: dict[str, str] = {}

        self.mode_box = named(QComboBox(), "schedule_mode", "View")
        for mode in MODES:
            self.mode_box.addItem(mode.capitalize(), mode)
        self.provider_box = named(QComboBox(), "schedule_provider_filter", "Provider filter")
        self.prev_button = named(QPushButton("◀"), "schedule_prev", "Previous period")
        self.today_button = named(QPushButton("&Today"), "schedule_today", "Today")
        self.next_button = named(QPushButton("▶"), "schedule_next", "Next period")
        self.title = named(QLabel(), "schedule_title", "Shown period")
        self.new_button = named(QPushButton("&New booking…"), "schedule_new", "New booking")
        self.providers_button = named(QPushButton("&Providers…"), "schedule_providers", "Providers and hours")
        self.rooms_button = named(QPushButton("Roo&ms…"), "schedule_rooms", "Rooms and equipment")
        self.checkin_button = named(QPushButton("Check &in"), "schedule_check_in", "Check in")
        self.complete_button = named(QPushButton("Comp&lete"), "schedule_complete", "Complete")
        self.cancel_button = named(QPushButton("&Cancel appt…"), "schedule_cancel", "Cancel appointment")
        self.noshow_button = named(QPushButton("No-&show"), "schedule_no_show", "No-show")
        self.ics_button = named(QPushButton("E&xport .ics…"), "schedule_export_ics", "Export iCalendar")
        self.sheet_button = named(QPushButton("&Day sheet PDF…"), "schedule_day_sheet", "Day sheet PDF")
        self.agenda_button = named(QPushButton("A&genda"), "schedule_agenda_toggle", "Show agenda list")
        self.agenda_button.setCheckable(True)
        self.agenda_button.setChecked(True)
        self.agenda_button.setToolTip("Show or hide the agenda list beside the calendar")
        self.legend = StatusLegend()
        self.status = named(QLabel(), "schedule_status", "Schedule messages")
        self.status.setWordWrap(True)

        self.day_view = TimeGridView("schedule_day_view")
        self.day_view.setAccessibleName("Day view")
        self.week_view = TimeGridView("schedule_week_view")
        self.week_view.setAccessibleName("Week view")
        self.month_view = MonthView()
        self.agenda = AgendaList()
        self.stack = named(QStackedWidget(), "schedule_views", "Calendar")
        self.day_scroll = scrolled(self.day_view, "schedule_day_scroll", "Day view scroll area")
        self.week_scroll = scrolled(self.week_view, "schedule_week_scroll", "Week view scroll area")
        for view in (self.day_scroll, self.week_scroll, self.month_view):
            self.stack.addWidget(view)

        ctx.write_guard.register(self.new_button, self.providers_button, self.rooms_button, self.checkin_button,
                                 self.complete_button, self.cancel_button, self.noshow_button,
                                 needs=Permission.MANAGE_SCHEDULE)
        # Three rows whose minimum widths each fit 960 logical pixels (1920×1080 at 2×): one
        # row held everything and forced the window to 1,053 px.
        self.provider_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.provider_box.setMinimumContentsLength(14)
        self.title.setMinimumWidth(0)
        bar = QHBoxLayout()
        for w in (self.mode_box, self.provider_box, self.prev_button, self.today_button, self.next_button):
            bar.addWidget(w)
        bar.addWidget(self.title, 1)
        tools = QHBoxLayout()
        for w in (self.new_button, self.providers_button, self.rooms_button, self.agenda_button):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.ics_button)
        tools.addWidget(self.sheet_button)
        actions = QHBoxLayout()
        for w in (self.checkin_button, self.complete_button, self.cancel_button, self.noshow_button):
            actions.addWidget(w)
        actions.addStretch(1)
        actions.addWidget(self.legend)
        self.split = named(QSplitter(Qt.Orientation.Horizontal), "schedule_split", "Calendar and agenda")
        self.split.addWidget(self.stack)
        self.split.addWidget(self.agenda)
        self.split.setStretchFactor(0, 1)  # growing the window grows the calendar
        self.split.setStretchFactor(1, 0)
        self.split.setCollapsible(0, False)
        self._split_placed = False
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(tools)
        layout.addWidget(self.split, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self.reload)
        self._clock = QTimer(self)
        self._clock.setInterval(60_000)  # the current-time line moves once a minute
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._connect()
        self._tab_order()
        if self.service.index_ready:
            self.fill_providers()
            self.reload()
        else:  # years of appointments take seconds to index: never on the GUI thread
            self.title.setText("Loading the schedule…")
            ctx.run(self.service.warm_up, on_done=self._warmed, what="loading the schedule")

    def _tab_order(self) -> None:
        """Tab follows the screen: toolbar left to right, the calendar, the agenda, then the
        buttons acting on the selection (creation order put the calendar last)."""
        chain = (self.mode_box, self.provider_box, self.prev_button, self.today_button, self.next_button,
                 self.new_button, self.providers_button, self.rooms_button, self.agenda_button,
                 self.ics_button, self.sheet_button,
                 self.day_view, self.week_view, self.month_view, self.agenda,
                 self.checkin_button, self.complete_button, self.cancel_button, self.noshow_button)
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        """Give the calendar most of the width the first time the real width is known (the
        agenda table's size hint would otherwise claim half of it)."""
        super().showEvent(event)
        if not self._split_placed and self.split.width() > 0:
            self._split_placed = True
            self.place_split()

    def place_split(self) -> None:
        total = max(1, sum(self.split.sizes()) or self.split.width())
        agenda = int(total * AGENDA_SHARE) if self.agenda_button.isChecked() else 0
        self.split.setSizes([total - agenda, agenda])

    def toggle_agenda(self, shown: bool) -> None:
        self.agenda.setVisible(shown)
        self.place_split()

    def _reveal(self, area: QScrollArea, view: TimeGridView, item_id: str) -> None:
        """Keyboard selection (N/P) scrolls a wide day view to the selected block."""
        rect = view.rect_of(item_id) if item_id else None
        if rect is not None:
            area.ensureVisible(int(rect.center().x()), int(rect.center().y()),
                               int(rect.width() / 2) + 8, int(rect.height() / 2) + 8)

    def _warmed(self, _count: int) -> None:
        self.fill_providers()
        self.reload()

    # ----- wiring ---------------------------------------------------------------------
    def _connect(self) -> None:
        self.appointment_actions = ScheduleActions(self)
        self.mode_box.currentIndexChanged.connect(lambda _i: self.set_mode(self.mode_box.currentData()))
        self.provider_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.prev_button.clicked.connect(lambda: self.navigate("page_up"))
        self.next_button.clicked.connect(lambda: self.navigate("page_down"))
        self.today_button.clicked.connect(lambda: self.navigate("today"))
        self.agenda_button.toggled.connect(self.toggle_agenda)
        for view, area in ((self.day_view, self.day_scroll), (self.week_view, self.week_scroll)):
            view.sig_item_selected.connect(lambda item_id, a=area, v=view: self._reveal(a, v, item_id))
            view.sig_navigation_requested.connect(self.navigate)
            view.sig_column_activated.connect(self.open_column)
            view.sig_item_selected.connect(self.appointment_actions.select)
            view.sig_item_activated.connect(self.appointment_actions.activate)
            view.sig_move_requested.connect(self.appointment_actions.request_move)
            view.sig_slot_activated.connect(self.appointment_actions.book_at)
        self.month_view.sig_navigation_requested.connect(self.navigate)
        self.month_view.sig_day_activated.connect(self.open_day)
        self.agenda.sig_item_selected.connect(self.appointment_actions.select)
        self.agenda.sig_item_activated.connect(self.appointment_actions.activate)
        self.ctx.changes.sig_changed.connect(self._on_change)
        self.ctx.sig_closing.connect(self._clock.stop)  # no redraws while the window shuts down
        self.ctx.sig_settings_changed.connect(self._settings_changed)
        self.ctx.navigation.sig_booking_requested.connect(self.appointment_actions.open_booking_request)

    def _on_change(self, change: Any) -> None:
        if getattr(change, "table", "") in _TABLES and self.service.index_ready:
            if change.table == "providers":
                self.fill_providers()
            self._reload_timer.start()  # coalesce a burst of changes into one reload

    def _settings_changed(self, settings: Any) -> None:
        """A new clinic time zone re-labels every time; stored instants do not change."""
        self.service.set_clinic_tz(clinic_tz_name(settings))
        self.reload()

    def _tick(self) -> None:
        for view in (self.day_view, self.week_view):
            view.now = self.now_local()
            view.update()

    # ----- time and period ------------------------------------------------------------
    def now_local(self) -> datetime:
        return utc_to_wall(datetime.now().astimezone(), self.service.zone)

    def today(self) -> date:
        return self.now_local().date()

    def period(self) -> tuple[date, date]:
        """First and last+1 local dates shown by the current mode."""
        if self.mode == "day":
            return self.day, self.day + timedelta(days=1)
        if self.mode == "week":
            monday = self.day - timedelta(days=self.day.weekday())
            return monday, monday + timedelta(days=7)
        first = month_grid_start(self.day.replace(day=1))
        return first, first + timedelta(days=42)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.mode_box.blockSignals(True)
        self.mode_box.setCurrentIndex(MODES.index(mode))
        self.mode_box.blockSignals(False)
        self.stack.setCurrentIndex(MODES.index(mode))
        self.reload()

    def navigate(self, action: str) -> None:
        """Keys and buttons: left/right a day, up/down a week, PageUp/PageDown a period, T today."""
        step = {"day": timedelta(days=1), "week": timedelta(days=7)}
        if action == "today":
            self.day = self.today()
        elif action in ("left", "right"):
            self.day += timedelta(days=-1 if action == "left" else 1)
        elif action in ("up", "down"):
            self.day += timedelta(days=-7 if action == "up" else 7)
        elif action in ("page_up", "page_down"):
            sign = -1 if action == "page_up" else 1
            if self.mode == "month":
                month = self.day.month - 1 + sign
                self.day = date(self.day.year + month // 12, month % 12 + 1, 1)
            else:
                self.day += sign * step[self.mode]
        self.reload()

    def open_column(self, column: Column) -> None:
        """Header double-click: a provider's column narrows the view to that provider; a
        week column opens that day."""
        if column.provider_id:
            self.provider_box.setCurrentIndex(max(0, self.provider_box.findData(column.provider_id)))
        else:
            self.open_day(column.day.date())

    def open_day(self, day: date) -> None:
        self.day = day
        self.set_mode("day")
        self.day_view.setFocus()

    # ----- content --------------------------------------------------------------------
    def fill_providers(self) -> None:
        keep = self.provider_box.currentData()
        self.provider_box.blockSignals(True)
        self.provider_box.clear()
        self.provider_box.addItem("All providers", "")
        for p in self.service.active_providers():
            self.provider_box.addItem(p.name, p.id)
        self.provider_box.setCurrentIndex(max(0, self.provider_box.findData(keep or "")))
        self.provider_box.blockSignals(False)
        self.provider_names = {p.id: p.name for p in self.service.providers.all()}

    def shown_provider_ids(self) -> list[str]:
        chosen = self.provider_box.currentData()
        return [chosen] if chosen else [p.id for p in self.service.active_providers()]

    def reload(self) -> None:
        """Re-read the shown period (in-memory, no file access) and hand it to the views."""
        if not self.service.index_ready:
            return  # _warmed reloads once the background load is done
        first, last = self.period()
        start, _ = day_bounds_utc(first, self.service.zone)
        end, _ = day_bounds_utc(last, self.service.zone)
        providers = self.shown_provider_ids()
        now = self.now_local()
        if self.mode == "month":
            summaries = self.service.day_summaries(start, end, providers)
            shown = {d: ids[:NAMES_SHOWN] for d, ids in summaries.items()}  # names only for these
            names = patient_labels(self.ctx, {p for ids in shown.values() for p in ids})
            self.month_view.set_month(self.day, self.day,
                                      {d: (len(summaries[d]), [names[p][1] for p in ids])
                                       for d, ids in shown.items()}, now.date())
            day_start, day_end = day_bounds_utc(self.day, self.service.zone)
            self.items = to_items(self.ctx, self.service,
                                  self.service.briefs_between(day_start, day_end, providers))
            self.title.setText(f"{self.day:%B %Y}")
        else:
            self.items = to_items(self.ctx, self.service,
                                  self.service.briefs_between(start, end, providers))
            midnight = datetime.combine(self.day, time())
            if self.mode == "day":
                columns = [Column(pid, self.provider_names.get(pid, pid), midnight, pid) for pid in providers]
                self.day_view.empty_text = NO_PROVIDERS
                self.day_view.setAccessibleDescription("" if columns else NO_PROVIDERS)
                self.day_view.set_content(columns, self.items, now)
                self.title.setText(f"{self.day:%A %d %B %Y}")
            else:
                self.week_view.set_content(week_columns(first), self.items, now)
                crowd = "" if len(providers) <= WEEK_READABLE else \
                    f" · all {len(providers)} providers: choose one to read the names"
                self.title.setText(f"Week of {first:%d %B %Y}{crowd}")
        self.agenda.set_items(self.items, self.provider_names, show_date=self.mode == "week")
        self.appointment_actions.update_actions()
