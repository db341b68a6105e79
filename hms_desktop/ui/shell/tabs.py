"""Finds each tab's ``create_tab(ctx)``; a missing or failing tab never takes the app down."""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

from hms_desktop.domain.accounts import Permission
from hms_desktop.ui.common.scrolling import in_scroll_area, page_in
from hms_desktop.ui.context import (
    TAB_MONITOR,
    TAB_PATIENTS,
    TAB_RECORD,
    TAB_SCHEDULE,
    AppContext,
)

log = logging.getLogger(__name__)

# (title shown on the tab, package under hms_desktop.ui)
TABS: tuple[tuple[str, str], ...] = (
    (TAB_PATIENTS, "patients"),
    (TAB_RECORD, "record"),
    (TAB_SCHEDULE, "schedule"),
    (TAB_MONITOR, "monitor"),
)


#: What a role needs to see each tab (docs/security.md); otherwise the tab says which role.
TAB_NEEDS: dict[str, Permission] = {
    TAB_PATIENTS: Permission.VIEW_DEMOGRAPHICS,
    TAB_RECORD: Permission.VIEW_RECORD,
    TAB_SCHEDULE: Permission.VIEW_SCHEDULE,
    TAB_MONITOR: Permission.VIEW_BEDS,
}


def _page(title: str, text: str, kind: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setObjectName(f"{title.lower()}_{kind}")
    label.setAccessibleName(f"{title} tab {kind}")
    return label


def loading_page(title: str) -> QLabel:
    """Shown in each tab while the data folder opens in the background."""
    return _page(title, f"Loading {title}…", "loading")


def error_page(title: str, message: str) -> QLabel:
    """Shown instead of a tab that failed, so the other tabs still work."""
    return _page(title, f"The {title} tab could not start:\n{message}", "error")


def denied_page(title: str, reason: str) -> QLabel:
    """Shown instead of a tab the signed-in user's role may not see (emergency access to one
    patient's record is in the File menu)."""
    return _page(title, f"The {title} tab is not available to you.\n{reason}.", "denied")


def create_tab(title: str, package: str, ctx: AppContext) -> QWidget:
    """The tab's own widget, or an error page naming what is wrong (every tab ships)."""
    module_name = f"hms_desktop.ui.{package}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        log.exception("tab %s failed to import", title)
        return error_page(title, str(exc))
    except Exception as exc:
        log.exception("tab %s failed to import", title)
        return error_page(title, f"{type(exc).__name__}: {exc}")
    factory = getattr(module, "create_tab", None)
    if factory is None:
        return error_page(title, f"{module_name} has no create_tab(ctx)")
    try:
        widget: QWidget = factory(ctx)
    except Exception as exc:
        log.exception("tab %s failed to start", title)
        return error_page(title, f"{type(exc).__name__}: {exc}")
    return widget


def scrolling_page(title: str, page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area, so one tab's minimum size cannot make the whole
    window bigger than the screen (a QTabWidget is as large as its largest page): a tab that
    does not fit scrolls on its own. Each tab is still designed to fit 960×540 without it
    (tests/ui/test_window_walker.py checks); this is the safety net, not the layout."""
    return in_scroll_area(page, f"{title.lower()}_tab_scroll", f"{title} tab scroll area")


def tab_page(area: QWidget) -> QWidget:
    """The tab's own widget inside its scroll area (or ``area`` itself for a loading page)."""
    return page_in(area)
