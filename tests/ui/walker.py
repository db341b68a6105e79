"""The window walker's checks, shared by the in-process test and its QT_SCALE_FACTOR=2 subprocess.

Each check returns a list of problems (empty = fine), phrased so a failure says which control,
in which window, and why: outside the window, a shared Alt key, no accessible name, or a page
whose minimum size does not fit the space it is given.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QSlider,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from hms_desktop.ui.common.mnemonics import mnemonic_of

SIZES = {"1366x768": (1366, 768), "960x540": (960, 540)}
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit,
            QAbstractItemView, QSlider)
NEEDS_NAME = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QAbstractItemView, QSlider)
# Scroll areas that wrap a whole tab (must fit both ways) or a Record page (must fit across).
TAB_WRAPPER, PAGE_WRAPPER = "_tab_scroll", "record_page_scroll_"


def _label(w: QWidget) -> str:
    return f"{type(w).__name__} {w.objectName()!r} ({w.accessibleName()!r})"


def _internal(w: QWidget) -> bool:
    """Qt's own parts of a composite control (a combo's line edit, a tab bar's arrows...)."""
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar, QScrollBar, QCalendarWidget,
                               QAbstractItemView)):  # a view's headers and corner button
            return True
        parent = parent.parentWidget()
    return False


def visible_controls(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget)
            if isinstance(w, CONTROLS) and w.window() is window and w.isVisibleTo(window) and not _internal(w)]


def outside(window: QWidget) -> list[str]:
    """Visible controls not inside the window. A control in a scroll area counts as reachable
    when its outermost scroll area lies inside the window (the area scrolls to it)."""
    bounds = window.rect()
    problems = []
    for w in visible_controls(window):
        target: QWidget = w
        parent = w.parentWidget()
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(w):
                target = parent
            parent = parent.parentWidget()
        rect = QRect(target.mapTo(window, QPoint(0, 0)), target.size())
        if not bounds.contains(rect):
            problems.append(f"{_label(w)} at {rect.getRect()} outside the {bounds.width()}x{bounds.height()} window")
    return problems


def overflowing_pages(window: QWidget) -> list[str]:
    """A tab must fit its window without scrolling; a Record page must fit across. Judged by
    the scroll bars the user sees, and by the minimum size the page asks for."""
    problems = []
    for area in window.findChildren(QScrollArea):
        name = area.objectName()
        if not area.isVisibleTo(window) or area.widget() is None or not (
                name.endswith(TAB_WRAPPER) or name.startswith(PAGE_WRAPPER)):
            continue
        need, room = area.widget().minimumSizeHint(), area.viewport().size()
        across = area.horizontalScrollBar().isVisibleTo(window) or need.width() > room.width()
        down = name.endswith(TAB_WRAPPER) and (area.verticalScrollBar().isVisibleTo(window)
                                               or need.height() > room.height())
        if across or down:
            problems.append(f"{area.accessibleName()}: scrolls {'across' if across else 'down'}; the page needs "
                            f"at least {need.width()}x{need.height()}, has {room.width()}x{room.height()}")
    return problems


def shared_mnemonics(window: QWidget) -> list[str]:
    """Two visible controls (or menu titles) on one Alt key: Alt+key then reaches only one."""
    owners: dict[str, list[str]] = {}

    def add(text: str, who: str) -> None:
        key = mnemonic_of(text)
        if key:
            owners.setdefault(key, []).append(who)

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            add(action.text(), f"menu {action.text()!r}")
    for w in window.findChildren(QWidget):
        if w.window() is not window or not w.isVisibleTo(window) or _internal(w):
            continue
        if isinstance(w, QAbstractButton):
            add(w.text(), _label(w))
        elif isinstance(w, QLabel) and w.buddy() is not None:
            add(w.text(), _label(w))
        elif isinstance(w, QGroupBox):
            add(w.title(), _label(w))
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(w.tabText(i), f"tab {w.tabText(i)!r}")
    return [f"Alt+{key.upper()}: " + ", ".join(who) for key, who in sorted(owners.items()) if len(who) > 1]


def menu_mnemonics(window: QMainWindow) -> list[str]:
    problems = []
    for top in window.menuBar().actions():
        menu = top.menu()
        keys: dict[str, list[str]] = {}
        for action in menu.actions() if menu is not None else ():
            key = mnemonic_of(action.text())
            if key:
                keys.setdefault(key, []).append(action.text())
        problems += [f"menu {top.text()!r} Alt+{k.upper()}: {v}" for k, v in keys.items() if len(v) > 1]
    return problems


def unnamed_inputs(window: QWidget) -> list[str]:
    problems = []
    for w in visible_controls(window):
        if isinstance(w, NEEDS_NAME) and not w.accessibleName().strip():
            problems.append(f"{_label(w)} has no accessible name")
        elif isinstance(w, QAbstractButton) and not (w.accessibleName().strip() or w.text().replace("&", "").strip()):
            problems.append(f"{_label(w)} has neither text nor an accessible name")
    return problems


def check_window(window: QWidget, size: tuple[int, int] | None = None) -> list[str]:
    """Every check on one top-level window (``size``: the screen it must fit)."""
    QApplication.processEvents()
    problems = []
    if size is not None and (window.width() > size[0] or window.height() > size[1]):
        problems.append(f"{window.objectName()} is {window.width()}x{window.height()}, larger than {size[0]}x{size[1]}")
    problems += outside(window) + overflowing_pages(window) + shared_mnemonics(window) + unnamed_inputs(window)
    if isinstance(window, QMainWindow):
        problems += menu_mnemonics(window)
    return problems


def check_dialog(dialog: QWidget, size: tuple[int, int]) -> list[str]:
    dialog.show()
    QApplication.processEvents()
    if dialog.width() > size[0] or dialog.height() > size[1]:
        # A dialog may open larger than a small screen only if it can be made to fit.
        dialog.resize(min(dialog.width(), size[0]), min(dialog.height(), size[1]))
        QApplication.processEvents()
    return [f"{dialog.accessibleName() or dialog.objectName()}: {p}" for p in check_window(dialog, size)]


def main() -> None:
    """Subprocess entry (QT_SCALE_FACTOR=2): walk one tab at a logical 960x540, print JSON."""
    folder, tab_title = Path(sys.argv[1]), sys.argv[2]
    from PySide6.QtCore import QSettings, QTimer

    from hms_desktop.ui.main_window import MainWindow
    from hms_desktop.ui.shell.session_controller import SessionController

    app = QApplication([sys.argv[0]])
    controller = SessionController(folder, demo_if_empty=False)
    window = MainWindow(controller, qsettings=QSettings(str(folder.parent / "walker.ini"),
                                                        QSettings.Format.IniFormat),
                        relaunch=lambda _f: None)
    window.show()
    result: dict[str, Any] = {}

    def walk() -> None:
        ctx = window.ctx
        assert ctx is not None
        ctx.navigation.open_patient(ctx.services.patients.ids()[0])
        QApplication.processEvents()
        window.show_tab(tab_title)
        window.resize(*SIZES["960x540"])
        result["scale"] = window.devicePixelRatio()
        result["problems"] = walk_tab(window, tab_title, SIZES["960x540"])
        window.close()
        app.quit()

    window.sig_tabs_created.connect(lambda: QTimer.singleShot(200, walk))
    controller.start()
    app.exec()
    print(json.dumps(result))


def walk_tab(window: Any, title: str, size: tuple[int, int],
             pages: Callable[[Any], list[str]] | None = None) -> list[str]:
    """The window with ``title`` shown (and, for Record, every page in turn)."""
    from hms_desktop.ui.shell.tabs import tab_page

    window.show_tab(title)
    window.resize(*size)
    QApplication.processEvents()
    problems = [f"[{title}] {p}" for p in check_window(window, size)]
    tab = tab_page(window.tabs.currentWidget())
    if hasattr(tab, "page_list"):  # the Record tab: every page
        for row in range(tab.page_list.count()):
            tab.page_list.setCurrentRow(row)
            QApplication.processEvents()
            page = tab.page_list.item(row).text()
            problems += [f"[{title} / {page}] {p}" for p in check_window(window, size)]
    return problems


if __name__ == "__main__":
    main()
