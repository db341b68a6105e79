"""File ▸ Import…: choose a spreadsheet, check the column mapping and date format, see every
failing row, then import through the services.

Reading and checking run on a worker thread (``JobRunner``) with progress; writing runs on
the application's writer (``ctx.run``). Nothing is written until "Import" is pressed, and
Cancel or closing the dialog before then writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.interop.sheet_import import (
    ImportCancelled,
    ImportOptions,
    ImportPlan,
    ImportResult,
    Mode,
    apply_plan,
    counts,
    plan_import,
)
from hms_desktop.interop.sheet_layouts import KIND_TITLES, TARGETS, Kind, auto_mapping, recognise
from hms_desktop.interop.sheet_read import Sheet, read_sheet
from hms_desktop.interop.sheet_rows import DateOrder

from .jobs import JobRunner

PREVIEW_ROWS = 10
NOT_IMPORTED = "(not imported)"


def _buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose Alt key moves the focus to ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _named(widget: QWidget, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class ImportDialog(QDialog):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "import_dialog", "Import spreadsheet")
        self.setWindowTitle("Import spreadsheet")
        self.ctx = ctx
        self.sheet: Sheet | None = None
        self.plan: ImportPlan | None = None
        self.outcome: ImportResult | None = None
        self.jobs = JobRunner(self)
        self.jobs.sig_progress.connect(self._progress)
        self._build()
        self._update_buttons()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.file_label = _named(QLabel("No file chosen"), "import_file", "Chosen file")
        self.choose_button = _named(QPushButton("Choose &file…"), "import_choose", "Choose file")
        self.choose_button.clicked.connect(self.choose_file)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.choose_button)
        layout.addLayout(top)

        form = QFormLayout()
        self.kind_combo = _named(QComboBox(), "import_kind", "What the file holds")
        for kind, title in KIND_TITLES.items():
            self.kind_combo.addItem(title, kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        form.addRow("&Holds:", self.kind_combo)
        self.date_combo = _named(QComboBox(), "import_date_format", "Date format")
        self.date_combo.addItem("Choose the file's date format…", None)
        for order in DateOrder:
            self.date_combo.addItem(order.value, order)
        self.date_combo.currentIndexChanged.connect(self._options_changed)
        form.addRow("&Dates:", self.date_combo)
        self.all_or_nothing = _named(QRadioButton("Import only if &every row is valid"),
                                     "import_all_or_nothing", "Import only if every row is valid")
        self.valid_rows = _named(QRadioButton("Import the &valid rows, save the rejected ones"),
                                 "import_valid_rows", "Import the valid rows")
        self.all_or_nothing.setChecked(True)
        for radio in (self.all_or_nothing, self.valid_rows):
            radio.toggled.connect(self._options_changed)
        form.addRow(self.all_or_nothing)
        form.addRow(self.valid_rows)
        self.allow_duplicates = _named(QCheckBox("Register possible d&uplicates anyway"),
                                       "import_allow_duplicates", "Register possible duplicates anyway")
        self.allow_duplicates.toggled.connect(self._options_changed)
        form.addRow(self.allow_duplicates)
        layout.addLayout(form)

        self.mapping_table = _named(QTableWidget(0, 3), "import_mapping", "Column mapping")
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Imported as", "First values"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(_buddy_label("Column &mapping:", self.mapping_table))
        layout.addWidget(self.mapping_table, 2)
        self.preview_table = _named(QTableWidget(0, 0), "import_preview", "Preview of the first rows")
        layout.addWidget(_buddy_label("&Preview:", self.preview_table))
        layout.addWidget(self.preview_table, 2)
        self.problems = _named(QListWidget(), "import_problems", "Rows that cannot be imported")
        layout.addWidget(_buddy_label("Rows &with problems:", self.problems))
        layout.addWidget(self.problems, 2)
        self.summary = _named(QLabel(""), "import_summary", "Import summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.progress_bar = _named(QProgressBar(), "import_progress", "Import progress")
        self.progress_bar.setVisible(False)
        layout.addWidget(self.progress_bar)

        buttons = QHBoxLayout()
        self.check_button = _named(QPushButton("Chec&k rows"), "import_check", "Check rows")
        self.import_button = _named(QPushButton("&Import"), "import_apply", "Import")
        self.cancel_button = _named(QPushButton("&Cancel"), "import_cancel", "Cancel")
        self.check_button.clicked.connect(self.check_rows)
        self.import_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.check_button, self.import_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(900, 640)

    # -- file -----------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import spreadsheet", "",
                                              "Spreadsheets (*.csv *.txt *.tsv *.xlsx)")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        self.file_label.setText(f"Reading {path.name}…")
        self._busy(True)
        self.jobs.start(read_sheet, path, on_done=self._sheet_read, on_error=self._failed)

    def _sheet_read(self, sheet: Sheet) -> None:
        self._busy(False)
        self.sheet = sheet
        self.file_label.setText(f"{sheet.path.name}: {len(sheet):,} rows, encoding {sheet.encoding}"
                                + (f", delimiter {sheet.delimiter!r}" if sheet.delimiter else ""))
        kind = recognise(sheet.headers)
        if kind is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self._fill_mapping()
        self._fill_preview()

    def _kind_changed(self) -> None:
        if self.sheet is not None:
            self._fill_mapping()

    @property
    def kind(self) -> Kind:
        return Kind(self.kind_combo.currentData())

    def _fill_mapping(self) -> None:
        assert self.sheet is not None
        sheet, table = self.sheet, self.mapping_table
        table.setRowCount(len(sheet.headers))
        targets = TARGETS[self.kind]
        for row, (header, target) in enumerate(zip(sheet.headers, auto_mapping(self.kind, sheet.headers),
                                                   strict=True)):
            table.setItem(row, 0, QTableWidgetItem(header))
            combo = _named(QComboBox(), f"import_map_{row}", f"Import column {header} as")
            combo.addItem(NOT_IMPORTED, None)
            for t in targets:
                combo.addItem(t.title, t.name)
            combo.setCurrentIndex(max(0, combo.findData(target)))
            combo.currentIndexChanged.connect(self._options_changed)
            table.setCellWidget(row, 1, combo)
            samples = [r[row] for r in sheet.rows[:3] if row < len(r) and r[row]]
            table.setItem(row, 2, QTableWidgetItem(" | ".join(samples)))
        table.resizeColumnToContents(0)
        table.setColumnWidth(1, 220)
        self._options_changed()

    def _fill_preview(self) -> None:
        assert self.sheet is not None
        table = self.preview_table
        table.setColumnCount(len(self.sheet.headers))
        table.setHorizontalHeaderLabels(self.sheet.headers)
        rows = self.sheet.rows[:PREVIEW_ROWS]
        table.setRowCount(len(rows))
        table.setVerticalHeaderLabels([str(line) for line in self.sheet.lines[:PREVIEW_ROWS]])
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells[: len(self.sheet.headers)]):
                table.setItem(r, c, QTableWidgetItem(text))

    def mapping(self) -> list[str | None]:
        out: list[str | None] = []
        for row in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(row, 1)
            out.append(combo.currentData() if isinstance(combo, QComboBox) else None)
        return out

    def options(self) -> ImportOptions | None:
        order = self.date_combo.currentData()
        if self.sheet is None or order is None:
            return None
        return ImportOptions(kind=self.kind, mapping=self.mapping(), date_order=DateOrder(order),
                             mode=Mode.VALID_ROWS if self.valid_rows.isChecked() else Mode.ALL_OR_NOTHING,
                             phone_region=self.ctx.settings.phone_region,
                             allow_possible_duplicates=self.allow_duplicates.isChecked())

    # -- check and import -------------------------------------------------------------------
    def _options_changed(self) -> None:
        self.plan = None  # a changed choice needs a new check
        self.problems.clear()
        self.summary.setText("" if self.date_combo.currentData() is not None or self.sheet is None
                             else "Choose the date format the file uses, then check the rows.")
        self._update_buttons()

    def check_rows(self) -> None:
        options = self.options()
        if options is None or self.sheet is None:
            return
        self._busy(True)
        self.jobs.start(plan_import, self.sheet, options, self.ctx.services,
                        progress=self.jobs.progress, cancel=self.jobs.cancel,
                        on_done=self._checked, on_error=self._failed)

    def _checked(self, plan: ImportPlan) -> None:
        self._busy(False)
        self.plan = plan
        self.problems.clear()
        self.problems.addItems(plan.file_problems + [f"line {p.line}: {p.field}: {p.reason}"
                                                     for p in plan.problems])
        found = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in counts(plan).items()) or "nothing"
        text = f"{len(plan.valid_rows):,} valid row(s), {len(plan.rejected_rows):,} with problems. " \
               f"Will add: {found}."
        notes = plan.notes()
        if notes:
            text += f" {len(notes):,} note(s), e.g. {notes[0].split(': note: ', 1)[1]}."
        if plan.rejected_rows and plan.options.mode is Mode.ALL_OR_NOTHING:
            text += " Fix the rows, or choose to import the valid rows only."
        self.summary.setText(text)
        self._update_buttons()

    def apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.can_apply:
            return
        self._busy(True)
        self.ctx.run(apply_plan, plan, self.ctx.services, cancel=self.jobs.cancel,
                     on_done=self._applied, on_error=self._apply_failed,
                     what=f"import of {plan.sheet.path.name}")

    def _applied(self, result: ImportResult) -> None:
        self._busy(False)
        self.outcome = result
        self.plan = None
        written = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in result.written.items())
        text = f"Imported {written}."
        if result.estimated_birth_dates:
            text += f" {result.estimated_birth_dates:,} date(s) of birth estimated from an age " \
                    "are flagged for confirmation."
        if result.rejected_file is not None:
            text += f" {result.rejected:,} rejected row(s) saved to {result.rejected_file}."
        self.summary.setText(text)
        self.cancel_button.setText("&Close")
        self._update_buttons()

    def _apply_failed(self, exc: BaseException) -> bool:
        self._busy(False)
        self.summary.setText(f"Nothing imported: {exc}")
        return True

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, ImportCancelled):
            self.summary.setText("Cancelled: nothing was imported.")
        else:
            self.summary.setText(f"Cannot continue: {exc}")
            if self.sheet is None:
                self.file_label.setText("No file chosen")

    # -- state ------------------------------------------------------------------------------
    def _progress(self, step: str, fraction: float) -> None:
        self.progress_bar.setFormat(f"{step} (%p%)")
        self.progress_bar.setValue(round(fraction * 100))

    def _busy(self, busy: bool) -> None:
        self._working = busy
        self.progress_bar.setVisible(busy)
        self.progress_bar.setValue(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = getattr(self, "_working", False)
        ready = self.sheet is not None and self.date_combo.currentData() is not None
        self.check_button.setEnabled(ready and not busy and not self.ctx.read_only)
        self.import_button.setEnabled(bool(self.plan and self.plan.can_apply) and not busy)
        self.choose_button.setEnabled(not busy)

    def done(self, result: int) -> None:  # noqa: D401 (Qt override: closing cancels the jobs)
        self.jobs.stop()
        super().done(result)


