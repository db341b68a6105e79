"""Import wearable readings from a CSV export: pick the file, check the guessed column
mapping against a preview of the first rows, import all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.wearables import IMPORT_FIELDS, ImportResult, guess_mapping
from hms_desktop.services.wearables import read_csv_preview
from hms_desktop.ui.care.common import (
    MessageLine,
    RowsModel,
    add_form_rows,
    describe_error,
    named,
)

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

NOT_MAPPED = "— not mapped —"
FIELD_LABELS = {"at": "Time", "device_id": "Device", "heart_rate": "Heart rate",
                "spo2": "SpO2", "steps": "Steps", "glucose_mmol_l": "Glucose mmol/L",
                "temperature_c": "Temperature °C"}


def clinic_zone(ctx: AppContext) -> tzinfo:
    """Times without a zone in an export are the clinic's local time."""
    name = ctx.settings.time_zone
    if name:
        return ZoneInfo(name)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


class WearableImportDialog(QDialog):
    def __init__(self, ctx: AppContext, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "care_wearable_import", "Import wearable readings")
        self.setWindowTitle(f"Import wearable readings for {patient_id}")
        self.resize(820, 560)
        self.ctx = ctx
        self.patient_id = patient_id
        self.path: Path | None = None
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.imported: ImportResult | None = None
        # Where the file comes from: an open dialog for people, replaceable in tests.
        self.choose_file: Callable[[], Path | None] = self._ask_file
        self.file_label = named(QLabel("No file chosen"), "import_file", "Chosen file")
        self.browse = named(QPushButton("&Choose file…"), "import_browse", "Choose CSV file")
        self.browse.clicked.connect(self.pick)
        self.mapping: dict[str, QComboBox] = {}
        form = QFormLayout()
        for field in IMPORT_FIELDS:
            combo = named(QComboBox(), f"import_map_{field}", f"Column for {FIELD_LABELS[field]}")
            combo.currentIndexChanged.connect(lambda _: self._refresh_preview())
            self.mapping[field] = combo
            add_form_rows(form, [(FIELD_LABELS[field], combo)])
        self.device = named(QLineEdit(), "import_device", "Device when not in the file")
        self.device.setPlaceholderText("e.g. watch-123")
        add_form_rows(form, [("Device if not mapped", self.device)])
        self.preview_model = RowsModel([FIELD_LABELS[f] for f in IMPORT_FIELDS], self)
        self.preview = named(QTableView(), "import_preview", "Import preview")
        self.preview.setModel(self.preview_model)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.errors = named(QListWidget(), "import_errors", "Import errors")
        self.message = MessageLine("import_message", "Import message")
        self.do_import = named(QPushButton("&Import"), "import_run", "Import readings")
        self.do_import.setEnabled(False)
        self.do_import.clicked.connect(self.run_import)
        close = named(QPushButton("Close"), "import_close", "Close import")
        close.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.browse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.do_import)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.errors, 1)
        layout.addLayout(bottom)

    def _ask_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Wearable export", "", "CSV (*.csv *.txt)")
        return Path(path) if path else None

    def pick(self) -> None:
        path = self.choose_file()
        if path is None:
            return
        self.path = path
        self.file_label.setText(str(path))
        self.message.setText("Reading the file…")

        def failed(exc: BaseException) -> bool:
            self.message.show_error(f"Cannot read {path.name}: {describe_error(exc)}")
            return True

        self.ctx.run(read_csv_preview, path, on_done=self._loaded, on_error=failed,
                     what="reading the export")

    def _loaded(self, preview: tuple[list[str], list[list[str]]]) -> None:
        self.header, self.rows = preview
        guess = guess_mapping(self.header)
        for field, combo in self.mapping.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([NOT_MAPPED] + [f"{i + 1}: {h}" for i, h in enumerate(self.header)])
            col = guess[field]
            combo.setCurrentIndex(0 if col is None else col + 1)
            combo.blockSignals(False)
        self.message.setText(f"{len(self.header)} columns; check the mapping, then import.")
        self.do_import.setEnabled(True)
        self._refresh_preview()

    def current_mapping(self) -> dict[str, int | None]:
        return {f: (c.currentIndex() - 1 if c.currentIndex() > 0 else None)
                for f, c in self.mapping.items()}

    def _refresh_preview(self) -> None:
        mapping = self.current_mapping()
        table = [[row[c] if c is not None and c < len(row) else "" for c in mapping.values()]
                 for row in self.rows]
        self.preview_model.set_rows(table, [str(i) for i in range(len(table))])

    def run_import(self) -> None:
        if self.path is None:
            return
        self.errors.clear()
        self.do_import.setEnabled(False)
        self.message.setText("Importing…")

        def done(result: ImportResult) -> None:
            self.imported = result
            self.do_import.setEnabled(True)
            if result.errors:
                self.errors.addItems(result.errors)
                self.message.show_error(f"Nothing imported: {len(result.errors)} problems "
                                        "(fix the file or the mapping).")
            else:
                self.message.show_ok(f"Imported {len(result.readings)} readings.")

        def failed(exc: BaseException) -> bool:
            self.do_import.setEnabled(True)
            self.message.show_error(f"Nothing imported: {describe_error(exc)}")
            return True

        self.ctx.run(self.ctx.services.wearables.import_csv, self.path, self.current_mapping(),
                     patient_id=self.patient_id, default_device=self.device.text().strip(),
                     local=clinic_zone(self.ctx), on_done=done, on_error=failed,
                     what="wearable import")
