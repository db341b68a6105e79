"""The Record tab: the header on top, a list of pages on the left, the chosen page beside it.

Pages are created the first time they are shown, so opening a patient costs the header
and one page, not every section (ten years of a record is thousands of entries).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.record import SECTIONS
from hms_desktop.ui.common.mnemonics import MENU_KEYS, deconflict, mnemonic_of
from hms_desktop.ui.common.scrolling import in_scroll_area, page_in
from hms_desktop.ui.record import clock
from hms_desktop.ui.record.header import RecordHeader
from hms_desktop.ui.record.page_base import PatientPage
from hms_desktop.ui.record.pages import RECORD_PAGES, TIMELINE_PAGE, VISIT_LOG
from hms_desktop.ui.record.section_page import SectionPage
from hms_desktop.ui.record.timeline_page import TimelinePage
from hms_desktop.ui.record.visits_page import VisitsPage

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

TAB_TITLE = "Record"
SECTION_TITLES = {section.value: info.title for section, info in SECTIONS.items()}


class RecordTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_tab")
        self.setAccessibleName("Record tab")
        self.ctx = ctx
        # The pages the composition root registered; a bare context gets the record's own.
        self.factories = list(ctx.record_pages or [*RECORD_PAGES, TIMELINE_PAGE])
        self.pages: dict[str, QWidget] = {}
        self.header = RecordHeader(ctx, self)
        self.page_list = QListWidget(self)
        self.page_list.setObjectName("record_page_list")
        self.page_list.setAccessibleName("Record pages")
        self.page_list.addItems([title for title, _ in self.factories])
        self.page_list.setMaximumWidth(220)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("record_page_stack")
        self.stack.setAccessibleName("Record page")
        self.page_list.currentRowChanged.connect(self._show_row)
        body = QHBoxLayout()
        body.addWidget(self.page_list)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        self._apply_settings(ctx.settings)
        ctx.sig_settings_changed.connect(self._settings_changed)
        ctx.navigation.sig_visit_log_requested.connect(self.log_visit)
        self.page_list.setCurrentRow(0)

    @staticmethod
    def _apply_settings(settings: ClinicSettings) -> None:
        clock.set_zone(settings.zone)

    def _settings_changed(self, settings: Any) -> None:
        """A new clinic time zone: every time shown is redrawn in it."""
        self._apply_settings(settings)
        self.header.refresh()
        for page in self.pages.values():
            if isinstance(page, PatientPage):
                page.mark_stale()

    def page(self, title: str) -> QWidget:
        """The page titled ``title``, created on first use."""
        page = self.pages.get(title)
        if page is None:
            factory = dict(self.factories)[title]
            page = factory(self.ctx)
            # Pages come from several features and sit under this header and the window's
            # menus: keep every Alt key on screen unique (tests/ui/test_window_walker.py).
            header_keys = {mnemonic_of(b.text()) for b in self.header.findChildren(QPushButton)}
            deconflict(page, MENU_KEYS | header_keys)
            self.pages[title] = page
            if isinstance(page, TimelinePage):
                page.sig_entry_activated.connect(self.open_entry)
            self.stack.addWidget(self._scrolling(title, page))
        return page

    @staticmethod
    def _scrolling(title: str, page: QWidget) -> QScrollArea:
        """Each page scrolls on its own: the stack is as large as its largest page, so one tall
        form (observations) made every page, and the window, taller than a 960×540 screen."""
        return in_scroll_area(page, f"record_page_scroll_{title.lower().replace(' ', '_')}",
                              f"{title} page scroll area")

    def current_page(self) -> QWidget | None:
        """The page shown now (inside its scroll area)."""
        area = self.stack.currentWidget()
        return page_in(area) if area is not None else None

    def show_page(self, title: str) -> QWidget:
        row = [t for t, _ in self.factories].index(title)
        self.page_list.setCurrentRow(row)
        return self.page(title)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.factories):
            page = self.page(self.factories[row][0])
            for n in range(self.stack.count()):
                area = self.stack.widget(n)
                if area is not None and page_in(area) is page:
                    self.stack.setCurrentIndex(n)

    def open_entry(self, table: str, record_id: str) -> None:
        """Show the section page holding ``record_id`` with it selected (from the timeline)."""
        for title, _factory in self.factories:
            page = self.pages.get(title)
            if page is None and title in SECTION_TITLES.values():
                page = self.page(title)
            if isinstance(page, SectionPage) and page.section.value == table:
                self.show_page(title)
                page.reload()
                page.select_id(record_id)
                page.view.setFocus()
                return

    def log_visit(self, details: dict[str, Any]) -> None:
        """Schedule asked to log a visit: bring the Record tab and the visit dialog forward."""
        self.ctx.navigation.show_tab(TAB_TITLE)
        page = self.show_page(VISIT_LOG)
        if isinstance(page, VisitsPage):
            page.open_requested_visit(details)
