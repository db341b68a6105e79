"""The main window: assembles the tabs, menus and status bar. Nothing else lives here.

Start-up order: the window is shown at once with "Loading…" pages and a progress bar; the
SessionController opens the folder on the background writer; when the AppContext is
ready each tab replaces its loading page with ``hms_desktop.ui.<tab>.create_tab(ctx)``,
one per event-loop turn, then ``sig_tabs_created`` fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission, denial_reason
from hms_desktop.services.backup.server import server_address
from hms_desktop.services.demo.marker import demo_additions, remove_demo_data
from hms_desktop.ui.audit.menu import AuditMenu
from hms_desktop.ui.context import TAB_RECORD, AppContext
from hms_desktop.ui.interop.menus import InteropMenus
from hms_desktop.ui.shell.about_dialog import AboutDialog
from hms_desktop.ui.shell.backup_menu import BackupMenu
from hms_desktop.ui.shell.check_dialog import CheckDialog
from hms_desktop.ui.shell.connect_dialog import ConnectServerDialog
from hms_desktop.ui.shell.demo_banner import DemoBanner
from hms_desktop.ui.shell.quarantine_dialog import QuarantineDialog
from hms_desktop.ui.shell.repair_dialog import RepairDialog
from hms_desktop.ui.shell.session_controller import SessionController
from hms_desktop.ui.shell.settings_dialog import SettingsDialog
from hms_desktop.ui.shell.status import ShellStatus
from hms_desktop.ui.shell.tabs import (
    TAB_NEEDS,
    TABS,
    create_tab,
    denied_page,
    error_page,
    loading_page,
    scrolling_page,
    tab_page,
)

APP_NAME = "HMS Desktop"
log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Tabs Patients, Record, Schedule, Monitor; File, View and Help menus; status bar."""

    sig_tabs_created = Signal()
    """Every tab has replaced its loading page (start-up is complete)."""

    def __init__(
        self,
        controller: SessionController,
        *,
        qsettings: QSettings | None = None,
        relaunch: Callable[[Path | str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setAccessibleName("HMS Desktop main window")
        self.controller = controller
        self.ctx: AppContext | None = None
        self._qsettings = qsettings or QSettings(APP_NAME, APP_NAME)
        self._relaunch = relaunch
        self._relaunch_to: Path | str | None = None  # a folder, or a server's address
        self._pending_tabs: list[int] = []
        self._dialogs: list[QWidget] = []  # keeps non-modal dialogs alive while open
        self._companions: list[QWidget] = []  # other top-level windows (the nurse station)
        #: Set by the sign-in gate (``shell/session_gate.py``): tabs wait for a signed-in user.
        self.hold_tabs = False

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main_tabs")
        self.tabs.setAccessibleName("Main tabs")
        for title, _package in TABS:
            self.tabs.addTab(loading_page(title), title)
        self.demo_banner = DemoBanner()
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.demo_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._remove_demo_on_close = False
        self.demo_moved_to: Path | None = None  # where Remove demo data put the files

        self.status = ShellStatus(self.statusBar(), controller.data_dir)
        self.status.quarantine_button.clicked.connect(self.show_quarantine)
        self._build_menus()
        self._update_title()
        self._restore_state()

        controller.sig_progress_reported.connect(self.status.show_progress)
        controller.sig_context_ready.connect(self._on_context_ready)
        controller.sig_open_failed.connect(self._on_open_failed)
        controller.sig_tables_loaded.connect(self._on_tables_loaded)
        self.sig_tabs_created.connect(controller.tabs_created)

    # -- assembly -----------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("main_menu")
        bar.setAccessibleName("Main menu")
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("file_menu")
        self.action_open = self._action(file_menu, "&Open data folder…", "open_data_folder",
                                        self.choose_data_folder, QKeySequence.StandardKey.Open)
        self.action_connect = self._action(file_menu, "Connect to ser&ver…", "connect_to_server",
                                           self.choose_server)
        self.action_check = self._action(file_menu, "&Check data", "check_data", self.check_data)
        self.action_repair = self._action(file_menu, "&Repair data folder…", "repair_data", self.repair_data)
        self.action_repair.setEnabled(False)
        self.action_settings = self._action(file_menu, "Clinic &settings…", "clinic_settings",
                                            self.edit_settings)
        self.action_settings.setEnabled(False)
        self.action_remove_demo = self._action(file_menu, "Remove &demo data…", "remove_demo_data",
                                               self.remove_demo_data)
        self.action_remove_demo.setEnabled(False)
        file_menu.addSeparator()
        self.backup_menu = BackupMenu(self, file_menu, self.status, self.statusBar(), self._open,
                                      self.open_data_folder)
        file_menu.addSeparator()
        self.interop = InteropMenus(self, file_menu, None, self._open)
        file_menu.addSeparator()
        self.action_quit = self._action(file_menu, "&Quit", "quit", self.close,
                                        QKeySequence.StandardKey.Quit)

        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("view_menu")
        for index, (title, _package) in enumerate(TABS):
            self._action(view_menu, f"&{index + 1} {title}", f"show_{title.lower()}",
                         lambda _=False, t=title: self.show_tab(t), f"Ctrl+{index + 1}")
        view_menu.addSeparator()
        self.action_quarantine = self._action(view_menu, "&Quarantined rows…", "quarantined_rows",
                                              self.show_quarantine)
        self.action_remote_beds = self._action(view_menu, "Remote &beds…", "remote_beds", self.show_remote_beds)
        self.action_remote_beds.setEnabled(False)  # on a clinic server only
        self.audit_menu = AuditMenu(self, view_menu, self._open)
        self.action_full_screen = self._action(view_menu, "&Full screen", "full_screen",
                                               self._toggle_full_screen,
                                               QKeySequence.StandardKey.FullScreen)

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("help_menu")
        self._action(help_menu, "&About HMS Desktop", "about", self.show_about)

    def _action(self, menu: object, text: str, name: str, slot: Callable[..., object],
                shortcut: QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    # -- start-up -----------------------------------------------------------------------
    def _on_context_ready(self, ctx: AppContext) -> None:
        self.ctx = ctx
        ctx.sig_status_posted.connect(self._post_status)  # bound slots: cut when this window goes
        ctx.sig_failure_reported.connect(self._show_failure)
        ctx.sig_settings_changed.connect(self._update_title)
        ctx.navigation.sig_tab_requested.connect(self.show_tab)
        self.interop.attach(ctx)
        self.action_remote_beds.setEnabled(server_address(ctx.store) is not None)
        # Day files are read after start-up (trends, reports) and may set rows aside then too.
        ctx.changes.sig_changed.connect(self._refresh_quarantine)
        if not self.hold_tabs:
            self.create_tabs()
        session = self.controller.session
        self.status.show_read_only(ctx.read_only, ctx.read_only_reason)
        self.status.show_quarantine(len(ctx.store.quarantine))
        self.status.show_settings_problem(session.settings_problem if session else "")
        self.action_settings.setEnabled(not ctx.read_only)
        ctx.write_guard.register(self.action_settings, needs=Permission.CHANGE_SETTINGS)
        self.backup_menu.attach(ctx)
        self.audit_menu.attach(ctx)
        self.action_repair.setEnabled(ctx.store.can_repair)  # a CSV folder that is ours
        # Offered while read-only (Repair is what ends it), to those who may back up and restore.
        ctx.write_guard.register(self.action_repair, needs=Permission.BACKUP_RESTORE, writes=False)
        self._update_title()
        self._disk_timer = QTimer(self)  # free space falls while the app runs: look once a minute
        self._disk_timer.timeout.connect(self._refresh_disk_notice)
        self._disk_timer.start(60_000)
        self._refresh_disk_notice()
        self.demo_banner.follow(self.controller.data_dir)
        self.action_remove_demo.setEnabled(self.demo_banner.isVisibleTo(self) and not ctx.read_only)

    def create_tabs(self) -> None:
        """Replace the loading pages with the tabs, as the signed-in user may see them."""
        if self.ctx is None or self._pending_tabs:
            return
        # One tab per event-loop turn, the visible one first: the window repaints and takes
        # input between tabs instead of freezing once for all of them (bench/startup.py).
        current = self.tabs.currentIndex()
        self.ctx.navigation.hold()  # released once every tab exists and listens
        self._pending_tabs = [current] + [i for i in range(len(TABS)) if i != current]
        QTimer.singleShot(0, self._create_next_tab)

    def reset_tabs(self) -> None:
        """Close every tab (a user signed out or another signed in): loading pages until
        ``create_tabs``, so nothing one user opened is left for the next."""
        self._pending_tabs = []
        current = self.tabs.currentIndex()
        self._remove_tabs()
        for title, _package in TABS:
            self.tabs.addTab(loading_page(title), title)
        self.tabs.setCurrentIndex(max(current, 0))
        if self.ctx is not None:
            self.ctx.current_patient.select("")

    def _create_next_tab(self) -> None:
        if self.ctx is None or not self._pending_tabs:
            return
        index = self._pending_tabs.pop(0)
        title, package = TABS[index]
        self.status.show_progress(f"Opening the {title} tab", 1.0 - len(self._pending_tabs) / len(TABS))
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # replacing a page must not count as the user switching
        old = self.tabs.widget(index)
        self.tabs.removeTab(index)
        needs = TAB_NEEDS[title]
        emergency = title == TAB_RECORD and self.ctx.services.access.has_emergency_access(
            self.ctx.current_patient.patient_id)
        page = (create_tab(title, package, self.ctx) if self.ctx.may(needs) or emergency
                else denied_page(title, denial_reason(needs)))
        self.tabs.insertTab(index, scrolling_page(title, page), title)
        if old is not None:
            old.deleteLater()
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        if self._pending_tabs:
            QTimer.singleShot(0, self._create_next_tab)
            return
        if self.controller.tables_loaded.is_set():
            self.status.loading_finished()
        self.ctx.navigation.release()
        self.sig_tabs_created.emit()

    def _on_tables_loaded(self) -> None:
        if not self._pending_tabs:  # else the last tab created hides the progress
            self.status.loading_finished()
        if self.ctx is not None:  # tables loaded since may have set rows aside or found an edit
            self._refresh_quarantine()
            self.status.show_read_only(self.ctx.read_only, self.ctx.read_only_reason)
            self.action_settings.setEnabled(not self.ctx.read_only)

    def _post_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _refresh_quarantine(self, _change: object = None) -> None:
        if self.ctx is not None:
            self.status.show_quarantine(len(self.ctx.store.quarantine))

    def _on_open_failed(self, message: str) -> None:
        self._pending_tabs = []
        self.status.loading_finished()
        for index, (title, _package) in enumerate(TABS):
            old = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, error_page(title, message), title)
            if old is not None:
                old.deleteLater()
        title = "Could not open data folder" if self.controller.database is None else "Could not reach the server"
        self._message(QMessageBox.Icon.Critical, "open_failed", title, message)

    # -- actions ------------------------------------------------------------------------
    def show_tab(self, title: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)
                return

    def show_quarantine(self) -> QuarantineDialog | None:
        if self.ctx is None:
            return None
        dialog = QuarantineDialog(list(self.ctx.store.quarantine), self)
        self._open(dialog)
        return dialog

    def _refresh_disk_notice(self) -> None:
        if self.ctx is not None:
            store = self.ctx.store
            self.status.show_disk_problem(" ".join([store.free_space_warning(), *store.checkpoint_problems()]))

    def repair_data(self) -> RepairDialog | None:
        """File ▸ Repair data folder…; on success the window reopens the folder afresh."""
        if self.ctx is None:
            return None
        user = self.ctx.user
        dialog = RepairDialog(self.ctx.store, self.controller.writer, self, guard=self.ctx.services.folder.repair,
                              confirmer="" if user.system else f"{user.display_name} ({user.username})")
        dialog.sig_repaired.connect(lambda _result: self.open_data_folder(self.controller.data_dir))
        self._open(dialog)
        return dialog

    def check_data(self) -> CheckDialog:
        dialog = CheckDialog(self.controller.data_dir, self)
        self._open(dialog)
        return dialog

    def edit_settings(self) -> SettingsDialog | None:
        if self.ctx is None:
            return None
        ctx = self.ctx
        dialog = SettingsDialog(ctx.settings, self)
        dialog.accepted.connect(
            lambda: dialog.result_settings and ctx.update_settings(dialog.result_settings)
        )
        self._open(dialog)
        return dialog

    def choose_data_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open data folder", str(self.controller.data_dir)
        )
        if folder:
            self.open_data_folder(Path(folder))

    def show_remote_beds(self) -> QWidget | None:
        """The board of every bed monitored on any workstation of the clinic server."""
        address = server_address(self.ctx.store) if self.ctx is not None else None
        if address is None or self.ctx is None:
            return None
        from hms_desktop.ui.monitor.remote_beds import open_remote_beds

        board = open_remote_beds(self.ctx, address)
        self.adopt_window(board)
        board.show()
        return board

    def choose_server(self) -> ConnectServerDialog:
        """The clinic on a PostgreSQL server (docs/postgresql.md): reopens there once reachable."""
        dialog = ConnectServerDialog(self.controller.database or "", self)
        dialog.sig_connect.connect(self.open_database)
        self._open(dialog)
        return dialog

    def open_database(self, url: str) -> None:
        """Like ``open_data_folder``: a fresh instance on the server at ``url``."""
        self.open_data_folder(url)

    def open_data_folder(self, folder: Path | str) -> None:
        """Hand the window over to a fresh instance on ``folder`` (or a server's address)
        after this one closes.

        A new process rather than swapping stores in place: every tab, device thread and
        cache starts clean, and this folder's lock is released before the new one opens.
        """
        if self._relaunch is None:
            return
        self._relaunch_to = folder
        self.close()

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.controller.data_dir, self)
        self._open(dialog)
        return dialog

    def remove_demo_data(self) -> None:
        """Check (on the writer) that nothing real was added, ask, then close, move the demo
        files aside and reopen the folder empty (demo.marker has the rules)."""
        if self.ctx is None:
            return
        folder = self.controller.data_dir
        self.ctx.run(demo_additions, self.ctx.store, folder, on_done=self._confirm_demo_removal,
                     what="checking for records added to the demo data")

    def _confirm_demo_removal(self, additions: list[str]) -> QMessageBox:
        if additions:
            return self._message(QMessageBox.Icon.Warning, "demo_not_removed", "Demo data not removed",
                                 "Records were added to this folder after the demo data was generated, "
                                 "so removing it could remove real records. Nothing was removed.\n\n"
                                 + "\n".join(additions))
        box = QMessageBox(QMessageBox.Icon.Question, "Remove demo data",
                          "Remove the demo data? The window closes, every file of the data folder is "
                          "moved to a folder beside it (nothing is deleted), and the folder opens empty.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("remove_demo_message")
        box.setAccessibleName("Remove demo data")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(self._remove_demo_and_reopen)
        self._open(box)
        return box

    def _remove_demo_and_reopen(self) -> None:
        if self._remove_demo_on_close:
            return
        self._remove_demo_on_close = True
        self._relaunch_to = self.controller.data_dir
        self.close()

    def _remove_tabs(self) -> None:
        """Tabs go with the session: their timers must not write into a closed store."""
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is None:
                continue
            tab_page(page).close()  # the tab itself, not only its scroll area, gets closeEvent
            page.close()
            page.deleteLater()

    def adopt_window(self, window: QWidget) -> None:
        """Keep another top-level window (e.g. the nurse station) alive; it closes with this one."""
        self._companions.append(window)
        if self.property("hms_locked"):  # opened behind the lock screen: no patient shown yet
            from hms_desktop.ui.shell.session_gate import hide_companion_patients

            hide_companion_patients(self, True)

    def show_problem(self, title: str, text: str) -> QMessageBox:
        """A non-blocking warning box, for problems that are not failed saves."""
        return self._message(QMessageBox.Icon.Warning, "problem", title, text)

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _show_failure(self, what: str, reason: str) -> None:
        self._message(QMessageBox.Icon.Warning, "save_failed", "Not saved",
                      f"Not saved: {what}\n\n{reason}")

    def _message(self, icon: QMessageBox.Icon, name: str, title: str, text: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName(f"{name}_message")
        box.setAccessibleName(title)
        self._open(box)
        return box

    def _open(self, dialog: QWidget) -> None:
        """Non-blocking: the window (and live monitoring) keeps running behind dialogs."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog)
                                 if dialog in self._dialogs else None)
        dialog.open()  # type: ignore[attr-defined]

    def _update_title(self, _settings: object = None) -> None:
        parts = [APP_NAME]
        if self.ctx is not None:
            parts.append(self.ctx.settings.clinic_name)
        parts.append(str(self.controller.data_dir))
        title = " — ".join(parts)
        if self.ctx is not None and self.ctx.read_only:
            title += " [read-only]"
        self.setWindowTitle(title)

    # -- persistence ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self._qsettings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.show_tab(str(self._qsettings.value("window/tab", TABS[0][0])))

    def save_state(self) -> None:
        self._qsettings.setValue("window/geometry", self.saveGeometry())
        self._qsettings.setValue("window/tab", self.tabs.tabText(self.tabs.currentIndex()))
        self._qsettings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_state()
        for dialog in list(self._dialogs):  # first: a running export or import stops and joins
            dialog.close()                  # its thread before the folder closes under it
        for companion in self._companions:
            companion.close()
        self._pending_tabs = []
        self.controller.shutdown()
        self._remove_tabs()
        super().closeEvent(event)
        if self._remove_demo_on_close:  # the folder is closed and unlocked now
            try:
                self.demo_moved_to = remove_demo_data(self.controller.data_dir)
            except OSError as exc:  # the window is gone: say it where start-up will show it
                log.error("could not remove the demo data from %s: %s", self.controller.data_dir, exc)
        if self._relaunch_to is not None and self._relaunch is not None:
            self._relaunch(self._relaunch_to)
