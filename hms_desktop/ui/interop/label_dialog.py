"""Print a patient label or wristband: choose the stock and barcode, preview, print or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.interop.labels import (
    LabelContent,
    LabelKind,
    Stock,
    Symbology,
    label_content,
    stocks_for,
)

from .label_print import prepare_printer, print_to, render_image, save_pdf

PREVIEW_DPI = 110


def content_for(services: Any, patient_id: str) -> LabelContent:
    """The label text for a patient, with the allergy banner's wording for the wristband."""
    patient = services.patients.get(patient_id)
    if patient is None:
        raise KeyError(f"no patient {patient_id}")
    banner = services.record.allergy_banner(patient_id)
    return label_content(patient.id, patient.given_name, patient.family_name,
                         patient.date_of_birth, patient.sex.value, banner.text, banner.alert)


class LabelDialog(QDialog):
    def __init__(self, content: LabelContent, kind: LabelKind = LabelKind.LABEL,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("label_dialog")
        self.setAccessibleName("Print label or wristband")
        self.setWindowTitle(f"Label and wristband — {content.patient_id}")
        self.content = content
        self.saved_pdf: Path | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind_combo = self._combo("label_kind", "Label or wristband",
                                      [("Patient label", LabelKind.LABEL),
                                       ("Wristband", LabelKind.WRISTBAND)])
        self.stock_combo = self._combo("label_stock", "Label stock", [])
        self.code_combo = self._combo("label_barcode", "Barcode",
                                      [(s.value, s) for s in Symbology])
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&Stock:", self.stock_combo)
        form.addRow("&Barcode:", self.code_combo)
        layout.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("label_preview")
        self.preview.setAccessibleName("Label preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(140)
        layout.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.print_button = self._button("&Print…", "label_print", "Print", self.print_label)
        self.pdf_button = self._button("Save P&DF…", "label_pdf", "Save PDF", self.choose_pdf)
        self.close_button = self._button("&Close", "label_close", "Close", self.reject)
        for button in (self.print_button, self.pdf_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.stock_combo.currentIndexChanged.connect(self._refresh)
        self.code_combo.currentIndexChanged.connect(self._refresh)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self._kind_changed()
        self.resize(760, 360)

    def _combo(self, name: str, accessible: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _button(self, text: str, name: str, accessible: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    @property
    def stock(self) -> Stock:
        return self.stock_combo.currentData()  # type: ignore[no-any-return]

    @property
    def symbology(self) -> Symbology:
        return Symbology(self.code_combo.currentData())

    def _kind_changed(self) -> None:
        kind = LabelKind(self.kind_combo.currentData())
        self.stock_combo.blockSignals(True)
        self.stock_combo.clear()
        for stock in stocks_for(kind):
            self.stock_combo.addItem(stock.name, stock)
        self.stock_combo.blockSignals(False)
        # QR suits the narrow band (it scans from any side); Code 128 suits labels.
        self.code_combo.setCurrentIndex(self.code_combo.findData(
            Symbology.QR if kind is LabelKind.WRISTBAND else Symbology.CODE128))
        self._refresh()

    def _refresh(self) -> None:
        if self.stock_combo.currentData() is None:
            return
        image = render_image(self.content, self.stock, self.symbology, dpi=PREVIEW_DPI)
        pixmap = QPixmap.fromImage(image)
        width = max(200, self.preview.width() - 8)
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)

    def print_label(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.stock, f"{self.stock.kind.value} {self.content.patient_id}")
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("label_print_dialog")
        dialog.setAccessibleName("Print")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_to(printer, self.content, self.stock, self.symbology)

    def choose_pdf(self) -> None:
        name = f"{self.content.patient_id}-{self.stock.kind.value}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save label as PDF", name, "PDF (*.pdf)")
        if path:
            self.save_pdf(Path(path))

    def save_pdf(self, path: Path) -> Path:
        self.saved_pdf = save_pdf(path, self.content, self.stock, self.symbology)
        return self.saved_pdf
