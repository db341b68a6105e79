"""File ▸ Repair data folder…: a person confirms that the folder, as it is now, is kept.

Lists what Repair will settle (files unlike the manifest, rows that cannot be loaded,
changed headers, IDs found on two records), asks who confirms, and runs Repair on the
background writer. Every file it replaces is copied to ``repair/<time>/`` first; the
manifest records who confirmed and when. See docs/storage.md.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.services.data_repair import RepairResult, repair_folder, repair_plan
from hms_desktop.services.writer import BackgroundWriter


class RepairDialog(QDialog):
    """Shows the plan, takes the confirming person's name, and repairs on the writer."""

    sig_plan_ready = Signal(list)
    """The steps Repair would take (computed on the writer)."""
    sig_repaired = Signal(object)
    """Repair finished: carries the RepairResult."""
    sig_failed = Signal(str)
    """Repair could not run or stopped: a message for the user."""

    def __init__(self, store: Any, writer: BackgroundWriter, parent: QWidget | None = None, *,
                 guard: Callable[..., Any] | None = None, confirmer: str = "") -> None:
        """``guard``: the services' ``folder.repair``, which checks that the signed-in user may
        repair (an administrator) and runs the repair as them; ``confirmer``: that user, recorded
        with the repair. Without a signed-in person (the system actor) the name is typed."""
        super().__init__(parent)
        self.setObjectName("repair_dialog")
        self.setAccessibleName("Repair data folder")
        self.setWindowTitle("Repair data folder")
        self.resize(760, 460)
        self._store = store
        self._writer = writer
        self._guard: Callable[..., Any] = guard or (lambda task, *args, **kwargs: task(*args, **kwargs))
        self.result_of_repair: RepairResult | None = None

        self.intro = QLabel(
            "Restoring the files from a backup is the better way when you have one. Otherwise "
            "Repair accepts the data folder as it is now. A copy of every file it replaces is "
            "kept in the folder's repair/ subfolder, and your name is recorded with the repair."
        )
        self.intro.setWordWrap(True)
        self.intro.setObjectName("repair_intro")
        self.intro.setAccessibleName("Repair explanation")
        self.steps = QListWidget()
        self.steps.setObjectName("repair_steps")
        self.steps.setAccessibleName("What Repair will do")
        self.steps.setWordWrap(True)
        self.steps.addItem("Looking at the data folder…")
        self.name = QLineEdit()
        self.name.setObjectName("repair_confirmed_by")
        self.name.setAccessibleName("Confirmed by")
        self.name.setPlaceholderText("your full name")
        if confirmer:  # the signed-in user confirms; nobody types another person's name
            self.name.setText(confirmer)
            self.name.setReadOnly(True)
        self.discard = QCheckBox("Also &discard rows that cannot be loaded (a copy is kept)")
        self.discard.setObjectName("repair_discard")
        self.discard.setAccessibleName("Discard rows that cannot be loaded")
        self.discard.toggled.connect(self._ask_for_plan)
        form = QFormLayout()
        form.addRow("Confirmed &by:", self.name)
        self.status_label = QLabel("")
        self.status_label.setObjectName("repair_status")
        self.status_label.setAccessibleName("Repair result")
        self.status_label.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.setObjectName("repair_buttons")
        self.buttons.setAccessibleName("Repair buttons")
        self.repair_button = QPushButton("&Repair")
        self.repair_button.setObjectName("repair_confirm")
        self.repair_button.setAccessibleName("Repair")
        self.repair_button.setEnabled(False)
        self.buttons.addButton(self.repair_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.repair_button.clicked.connect(self._repair)
        self.name.textChanged.connect(self._update_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.steps)
        layout.addWidget(self.discard)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

        self._plan: list[str] | None = None
        self._running = False
        self.sig_plan_ready.connect(self._show_plan)
        self.sig_repaired.connect(self._done)
        self.sig_failed.connect(self._failed)
        self._ask_for_plan()

    # -- plan --------------------------------------------------------------------------
    def _ask_for_plan(self) -> None:
        self._plan = None
        self._update_button()
        future = self._writer.submit(repair_plan, self._store, discard_unloadable=self.discard.isChecked())
        future.add_done_callback(self._plan_finished)

    def _plan_finished(self, future: Future[list[str]]) -> None:  # on the writer thread
        exc = future.exception()
        if exc is not None:
            self.sig_failed.emit(str(exc))
        else:
            self.sig_plan_ready.emit(future.result())

    def _show_plan(self, steps: list[str]) -> None:
        self._plan = steps
        self.steps.clear()
        self.steps.addItems(steps or ["Nothing to repair: every file is as it was last saved."])
        self._update_button()

    def _update_button(self) -> None:
        self.repair_button.setEnabled(bool(self._plan) and bool(self.name.text().strip()) and not self._running)

    # -- repair ------------------------------------------------------------------------
    def _repair(self) -> None:
        self._running = True
        self._update_button()
        self.status_label.setText("Repairing…")
        future = self._writer.submit(self._guard, repair_folder, self._store, by=self.name.text().strip(),
                                     discard_unloadable=self.discard.isChecked())
        future.add_done_callback(self._repair_finished)

    def _repair_finished(self, future: Future[RepairResult]) -> None:  # on the writer thread
        exc = future.exception()
        if exc is not None:
            self.sig_failed.emit(f"Not repaired: {exc}")
        else:
            self.sig_repaired.emit(future.result())

    def _done(self, result: RepairResult) -> None:
        self.result_of_repair = result
        self._running = False
        self.status_label.setText(f"Repaired, confirmed by {result.by} at {result.at}. The files it replaced "
                                  f"are in {result.copy_dir}. The data folder now reopens.")
        self.accept()

    def _failed(self, message: str) -> None:
        self._running = False
        self.status_label.setText(message)
        self._update_button()
