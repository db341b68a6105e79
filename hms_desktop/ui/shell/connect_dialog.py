"""File ▸ Connect to server…: the clinic on a PostgreSQL server instead of the data folder.

The address is checked first (no password inside it; a server on another machine only with
``sslmode=verify-full``), then the server is reached once on a thread of the dialog's own, so
the window never freezes on a slow network. A password typed here goes into the user's libpq
password file (``storage/postgres/passfile.py``) after the server accepted it; it is never
shown again, never put in the address, and never stored in any settings.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.storage.postgres.conninfo import (
    ConnectionSettingsError,
    check_database_url,
    reach_server,
)
from hms_desktop.storage.postgres.errors import ServerUnavailableError
from hms_desktop.storage.postgres.passfile import save_password
from hms_desktop.ui.common.naming import named

PLACEHOLDER = "postgresql://reception@clinic-db.lan/hms?sslmode=verify-full"


def check_and_reach(url: str, password: str) -> str:
    """On the dialog's thread: "" when the server answered (and the password is kept), else why not."""
    try:
        check_database_url(url)
        reach_server(url, password=password)
        if password:
            where = save_password(url, password)
            return f"saved:{where}"
    except (ConnectionSettingsError, ServerUnavailableError, ValueError, OSError) as exc:
        return f"error:{exc}"
    return ""


class ConnectServerDialog(QDialog):
    """Address (and optionally a password) of the clinic's server; ``sig_connect`` when reachable."""

    sig_connect = Signal(str)
    """The server answered at this address (without password): open the clinic there."""
    _sig_checked = Signal(str)

    def __init__(self, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "connect_server_dialog", "Connect to server")
        self.setWindowTitle("Connect to server")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hms-connect")
        self.address = QLineEdit(current)
        named(self.address, "connect_address", "Server address")
        self.address.setPlaceholderText(PLACEHOLDER)
        self.password = QLineEdit()
        named(self.password, "connect_password", "Password (kept in your password file)")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("leave empty if your password file already has it")
        self.message = QLabel(
            "The clinic opens on the server; this workstation's folder keeps only its own files. "
            "A password is kept in your PostgreSQL password file (readable by you only), never "
            "in the address or the settings.")
        named(self.message, "connect_message", "Connection message")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Server &address:", self.address)
        form.addRow("&Password:", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = QPushButton("&Connect")
        named(self.connect_button, "connect_button", "Connect")
        self.connect_button.setDefault(True)
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.connect_button.clicked.connect(self.try_connect)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._sig_checked.connect(self._checked)
        self._url = ""

    def try_connect(self) -> None:
        self._url = self.address.text().strip()
        if not self._url:
            self._show("Type the server's address, e.g. " + PLACEHOLDER, error=True)
            return
        self.connect_button.setEnabled(False)
        self._show(f"Connecting to {self._url.split('?')[0]}…", error=False)
        future = self._executor.submit(check_and_reach, self._url, self.password.text())
        future.add_done_callback(self._deliver)

    def _deliver(self, future: Future[str]) -> None:
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - shown, never lost on the dialog's thread
            outcome = f"error:{type(exc).__name__}: {exc}"
        self._sig_checked.emit(outcome)  # queued to the GUI thread

    def _checked(self, outcome: str) -> None:
        self.connect_button.setEnabled(True)
        self.password.clear()  # never kept in the widget longer than needed
        if outcome.startswith("error:"):
            self._show(outcome.removeprefix("error:"), error=True)
            return
        self.sig_connect.emit(self._url)
        self.accept()

    def _show(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def done(self, result: int) -> None:
        self._executor.shutdown(wait=True)
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._executor.shutdown(wait=True)
        super().closeEvent(event)
