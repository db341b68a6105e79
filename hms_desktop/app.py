"""Composition root: parses the command line, builds the window and wires the parts.

``main(argv)`` is what ``python main.py``, ``python -m hms_desktop`` and the installed
``hms-desktop`` command run.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# BED=PORT[@PROTOCOL][:PATIENT_ID]; the monitor package parses the parts, this only
# refuses obviously wrong text early with a message naming the option.
_MONITOR_SPEC = re.compile(r"^[^=\s]+=\S+$")
APP_TITLE = "HMS Desktop"
CHOSEN_FOLDER_KEY = "data/folder"
CHOSEN_DATABASE_KEY = "data/database"  # a server address (never a password)


def is_installed() -> bool:
    """A bundled program (PyInstaller), as opposed to ``python main.py`` in a source checkout."""
    return bool(getattr(sys, "frozen", False)) or not (PROJECT_ROOT / "main.py").exists()


def installation_dir() -> Path:
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else PROJECT_ROOT


def default_data_dir() -> Path:
    """``data/`` beside main.py in a source checkout. Installed: the folder the user last
    picked (File ▸ Open data folder…), else the platform's user data folder — never a
    folder inside the installation, which an update or uninstall would delete."""
    from hms_desktop.services.user_folders import is_inside, user_data_dir

    if not is_installed():
        return PROJECT_ROOT / "data"
    chosen = chosen_data_dir()
    if chosen is not None and not is_inside(chosen, installation_dir()):
        return chosen
    return user_data_dir()


def chosen_data_dir() -> Path | None:
    from PySide6.QtCore import QSettings

    chosen = QSettings(APP_TITLE, APP_TITLE).value(CHOSEN_FOLDER_KEY)
    return Path(str(chosen)) if chosen else None


def remember_data_dir(folder: Path) -> None:
    from PySide6.QtCore import QSettings

    QSettings(APP_TITLE, APP_TITLE).setValue(CHOSEN_FOLDER_KEY, str(folder))


def remembered_database() -> str | None:
    """The server File ▸ Connect to server… last opened (an address without password), if any."""
    from PySide6.QtCore import QSettings

    chosen = QSettings(APP_TITLE, APP_TITLE).value(CHOSEN_DATABASE_KEY)
    return str(chosen) if chosen else None


def remember_database(url: str | None) -> None:
    """Remember the server (None: the data folder again). Only the address: the password
    stays in the libpq password file (storage/postgres/passfile.py)."""
    from PySide6.QtCore import QSettings

    settings = QSettings(APP_TITLE, APP_TITLE)
    if url:
        settings.setValue(CHOSEN_DATABASE_KEY, url)
    else:
        settings.remove(CHOSEN_DATABASE_KEY)


def _monitor_spec(text: str) -> str:
    if not _MONITOR_SPEC.match(text):
        raise argparse.ArgumentTypeError(
            f"--monitor {text!r}: expected BED=PORT[@PROTOCOL][:PATIENT_ID], e.g. 3=/dev/ttyUSB0@cms50"
        )
    return text


def _database_url(text: str) -> str:
    from hms_desktop.storage.postgres.conninfo import ConnectionSettingsError, check_database_url

    try:
        check_database_url(text)
    except ConnectionSettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hms-desktop", description="HMS Desktop clinic application")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data folder (default: data/ beside main.py)")
    parser.add_argument("--database", type=_database_url, default=None,
                        metavar="postgresql://HOST/DATABASE",
                        help="open the clinic on a PostgreSQL server instead of the data folder "
                             "(several workstations; docs/postgresql.md)")
    parser.add_argument("--station", action="store_true",
                        help="open the nurse-station view (full screen on --screen)")
    parser.add_argument("--monitor", action="append", default=[], type=_monitor_spec,
                        metavar="BED=PORT[@PROTOCOL][:PATIENT_ID]",
                        help="watch a device on a bed (repeatable)")
    parser.add_argument("--screen", type=int, default=None, help="screen number for the station view")
    parser.add_argument("--station-credentials", type=Path, default=None, metavar="FILE",
                        help="sign the nurse-station kiosk in unattended from its credential file "
                             "(made by 'users provision-station'; docs/security.md)")
    demo = parser.add_mutually_exclusive_group()
    demo.add_argument("--demo-if-empty", dest="demo_if_empty", action="store_true", default=True,
                      help="fill an empty data folder with demo data (default)")
    demo.add_argument("--no-demo", dest="demo_if_empty", action="store_false",
                      help="leave an empty data folder empty")
    parser.add_argument("--demo-patients", type=int, default=500,
                        help="patients generated for an empty folder (default 500)")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="close as soon as every tab is open (the installer's smoke test)")
    return parser


def open_station(window: Any, ctx: AppContext, specs: list[str], screen: int | None) -> None:
    """Start the station once the data is open; a bad option is shown, not a crash."""
    from hms_desktop.ui.monitor.station import start_station

    try:
        station = start_station(ctx, specs, screen)
    except ValueError as exc:
        window.show_problem("Nurse station not started", str(exc))
        return
    window.adopt_window(station)


def relaunch_on(target: Path | str, argv: list[str]) -> None:
    """Start a new instance on a folder (File ▸ Open data folder…) or a server's address
    (File ▸ Connect to server…) with the same other options."""
    from PySide6.QtCore import QProcess

    others = _without_option(_without_option(argv, "--data-dir"), "--database")
    if isinstance(target, str):
        options = [*others, "--database", target]
        if is_installed():
            remember_database(target)
    else:
        folder = target
        options = [*others, "--data-dir", str(folder)]
        if is_installed():
            remember_data_dir(folder)
            remember_database(None)
    if getattr(sys, "frozen", False):  # the bundle's executable is the program itself
        QProcess.startDetached(sys.executable, options, str(Path.home()))
        return
    QProcess.startDetached(sys.executable, ["-m", "hms_desktop", *options], str(PROJECT_ROOT))


def _without_option(argv: list[str], option: str) -> list[str]:
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == option:
            skip = True
        elif not item.startswith(f"{option}="):
            out.append(item)
    return out


def _close_on_signals(window: Any) -> None:
    """Ctrl+C or SIGTERM closes the window normally: queued writes finish, tables checkpoint.

    Python only runs signal handlers between bytecodes, so a slow timer gives the interpreter
    a regular chance while Qt's event loop is running. The handler itself only posts the close:
    it may run in the middle of any slot (say, half-way through building the window for a
    folder that just opened), and closing there left a dialog opened by the rest of that slot
    keeping the program alive after the window had gone.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def close_now() -> None:
        window.setProperty("hms_force_close", True)  # no "quit while monitoring?" question
        window.close()
        QApplication.quit()  # also when a dialog is still showing: the signal asked to end

    def on_signal(*_: object) -> None:
        QTimer.singleShot(0, window, close_now)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def guard_monitoring(window: Any, ctx: AppContext) -> Any:
    """While beds are monitored: the station watchdog process, the OS kept awake, and a question
    before quitting (``hms_desktop.ui.monitor.guard``). None in a build without the monitor."""
    try:
        from hms_desktop.ui.monitor.guard import guard_window
        from hms_desktop.ui.shell.keep_awake import KeepAwake
        from hms_desktop.ui.shell.watchdog_client import WatchdogClient
    except ModuleNotFoundError:
        return None
    if not ctx.session.holds_folder_lock:  # a second window monitors nothing
        return None
    return guard_window(window, ctx, watchdog=WatchdogClient(parent=window), keep_awake=KeepAwake())


def share_monitored_beds(ctx: AppContext) -> None:
    """On a clinic server, the beds monitored here appear at every nurse station."""
    try:
        from hms_desktop.ui.monitor.remote_beds import share_monitored_beds as share
    except ModuleNotFoundError:  # a build without the monitor
        return
    share(ctx)


def gate_window(window: Any, *, station_credentials: Path | None = None) -> Any:
    """Sign-in at start, lock, idle lock, sign out (``ui/shell/session_gate.py``); the beds
    are monitored from the start, whoever is signed in (``ui.monitor.start_beds``)."""
    from hms_desktop.ui.shell.session_gate import SessionGate

    try:
        from hms_desktop.ui.monitor import start_beds
    except ModuleNotFoundError:  # a build without the monitor
        return SessionGate(window, station_credentials=station_credentials)
    return SessionGate(window, beds=start_beds, station_credentials=station_credentials)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    from hms_desktop.services import diagnostics

    diagnostics.setup_logging()

    # pydantic before Qt: PySide6's import hook inspects every module imported after it, and
    # touching pydantic's lazily loaded names from inside that hook is a circular import (the
    # first domain model imported after Qt failed with "partially initialized module").
    import pydantic.fields  # noqa: F401
    import pydantic.functional_validators  # noqa: F401
    import pydantic.main  # noqa: F401
    from pydantic import BaseModel, Field, field_validator  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from hms_desktop.ui.main_window import APP_NAME, MainWindow
    from hms_desktop.ui.shell.crash_dialog import CrashNotifier, route_qt_messages
    from hms_desktop.ui.shell.gc_timer import GuiGarbageCollector
    from hms_desktop.ui.shell.session_controller import SessionController, import_plotting

    route_qt_messages()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    # Cyclic GC never runs inside a Qt call on the GUI thread (it deadlocked there); it runs
    # on this timer from the event loop instead.
    collector = GuiGarbageCollector(app)
    collector.start()
    app.aboutToQuit.connect(collector.stop)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    from PySide6.QtGui import QIcon

    from hms_desktop.resources import ICON_PNG

    QApplication.setWindowIcon(QIcon(str(ICON_PNG)))
    import_plotting()  # before the window exists: on the GUI thread, and freezing nothing visible
    data_dir = (args.data_dir or default_data_dir()).resolve()
    database = args.database
    if database is None and args.data_dir is None and is_installed():
        database = remembered_database()  # File ▸ Connect to server… chose it last time
    controller = SessionController(data_dir, demo_if_empty=args.demo_if_empty,
                                   demo_patients=args.demo_patients, database=database)
    window = MainWindow(controller, relaunch=lambda folder: relaunch_on(folder, argv))
    crash_notifier = CrashNotifier(window)
    controller.sig_context_ready.connect(
        lambda ctx: diagnostics.set_name_source(diagnostics.patient_names(ctx.services)))
    controller.sig_context_ready.connect(lambda ctx: guard_monitoring(window, ctx))
    controller.sig_context_ready.connect(share_monitored_beds)
    if args.station or args.monitor:
        controller.sig_context_ready.connect(
            lambda ctx: open_station(window, ctx, args.monitor, args.screen)
        )
    if args.quit_when_ready:
        # A smoke test, not a nurse: close without the "quit while monitoring?" question, and
        # build every tab as the explicit ``system`` actor (no sign-in: the window closes as
        # soon as the tabs exist; docs/security.md).
        window.setProperty("hms_force_close", True)
        window.sig_tabs_created.connect(window.close)

        def fail_now(message: str) -> None:  # nobody is there to read the error page
            # The message already says what it tried (the folder, or the server's address).
            print(f"hms-desktop: {message}", file=sys.stderr)
            window.close()
            app.exit(1)

        controller.sig_open_failed.connect(fail_now)
    else:
        gate_window(window, station_credentials=args.station_credentials)
    app.aboutToQuit.connect(controller.shutdown)  # also covers quitting without closing
    _close_on_signals(window)
    window.show()
    controller.start()
    try:
        return int(app.exec())
    finally:
        crash_notifier.uninstall()  # no dialogs for a window that is gone
