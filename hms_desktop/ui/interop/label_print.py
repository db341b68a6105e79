"""Painting a patient label or wristband: to a printer (QPrintDialog), a PDF, or an image.

One painter routine serves all three, so the PDF a test reads back and the image it decodes
the barcode from are the same drawing the printer gets. Barcodes are drawn as vector bars
from ``interop.labels`` module patterns, never as scaled bitmaps (a blurred bar misreads).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPagedPaintDevice, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from hms_desktop.interop.labels import (
    QUIET_MODULES,
    LabelContent,
    LabelKind,
    Stock,
    Symbology,
    code128_modules,
    qr_matrix,
)

MM_PER_INCH = 25.4


def page_layout(stock: Stock) -> QPageLayout:
    size = QPageSize(QSizeF(stock.short_mm, stock.long_mm), QPageSize.Unit.Millimeter,
                     stock.name, QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(size, QPageLayout.Orientation.Landscape, QMarginsF(0, 0, 0, 0),
                       QPageLayout.Unit.Millimeter)


def prepare_printer(printer: QPrinter, stock: Stock, title: str) -> None:
    printer.setPageLayout(page_layout(stock))
    printer.setFullPage(True)
    printer.setDocName(title)


def print_to(device: QPagedPaintDevice | QImage, content: LabelContent, stock: Stock,
             symbology: Symbology) -> None:
    """Paint one label on ``device`` (a QPrinter already set up, or an image of the stock)."""
    painter = QPainter(device)
    try:
        if isinstance(device, QImage):
            rect = QRectF(0, 0, device.width(), device.height())
        else:
            rect = QRectF(device.pageLayout().fullRectPixels(device.logicalDpiX()))
        paint_label(painter, rect, content, stock, symbology)
    finally:
        painter.end()


def save_pdf(path: Path, content: LabelContent, stock: Stock, symbology: Symbology) -> Path:
    """A one-page PDF of the label (GUI thread: a label is a few kilobytes)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    prepare_printer(printer, stock, f"{stock.kind.value} {content.patient_id}")
    print_to(printer, content, stock, symbology)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the label could not be written to {path}")
    return path


def render_image(content: LabelContent, stock: Stock, symbology: Symbology,
                 dpi: int = 300) -> QImage:
    """The label as a white image at ``dpi`` (preview, and barcode checks in tests)."""
    width = round(stock.long_mm / MM_PER_INCH * dpi)
    height = round(stock.short_mm / MM_PER_INCH * dpi)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.setDotsPerMeterX(round(dpi / MM_PER_INCH * 1000))
    image.setDotsPerMeterY(round(dpi / MM_PER_INCH * 1000))
    print_to(image, content, stock, symbology)
    return image


def paint_label(painter: QPainter, rect: QRectF, content: LabelContent, stock: Stock,
                symbology: Symbology) -> None:
    """Text on the left, barcode on the right (a label) or at the end of the band (wristband).

    Sizes derive from the stock height, so the same layout fits a 19 mm infant band and a
    51 mm shipping label.
    """
    unit = rect.height() / 12.0  # one line of small text
    pad = unit * 0.8
    inner = rect.adjusted(pad, pad, -pad, -pad)
    code_width = inner.height() if symbology is Symbology.QR else \
        min(inner.width() * 0.5, max(inner.height() * 2.6, unit * 24))
    if stock.kind is LabelKind.WRISTBAND:
        code_width = min(code_width, inner.width() * 0.35)
    code_rect = QRectF(inner.right() - code_width, inner.top(), code_width, inner.height())
    text_rect = QRectF(inner.left(), inner.top(), inner.width() - code_width - pad, inner.height())
    _paint_text(painter, text_rect, content, stock, unit)
    if symbology is Symbology.QR:
        _paint_qr(painter, code_rect, content.patient_id)
    else:
        _paint_code128(painter, code_rect, content.patient_id, unit)


def _font(painter: QPainter, pixels: float, bold: bool = False) -> None:
    """A font ``pixels`` device pixels high, set in points: pixel sizes are not honoured
    alike by every paint device (a PDF printer scales them), points are."""
    font = QFont("DejaVu Sans")
    dpi = painter.device().logicalDpiY() or 96
    font.setPointSizeF(max(1.0, pixels / dpi * 72.0))
    font.setBold(bold)
    painter.setFont(font)


def _paint_text(painter: QPainter, rect: QRectF, content: LabelContent, stock: Stock,
                unit: float) -> None:
    lines: list[tuple[str, float, bool, QColor]] = [
        (content.name, unit * 2.4, True, QColor("black")),
        (f"DOB {content.date_of_birth}" + (f"   {content.sex}" if content.sex else ""),
         unit * 1.8, False, QColor("black")),
        (f"ID {content.patient_id}", unit * 1.8, True, QColor("black")),
    ]
    if stock.kind is LabelKind.WRISTBAND and content.allergy:
        lines.append((content.allergy, unit * 1.8, True,
                      QColor("#b00020") if content.allergy_alert else QColor("black")))
    total = sum(size * 1.25 for _, size, _, _ in lines)
    scale = min(1.0, rect.height() / total) if total else 1.0
    y = rect.top()
    for text, size, bold, colour in lines:
        pixels = size * scale
        _font(painter, pixels, bold)
        wide = painter.fontMetrics().horizontalAdvance(text)
        if wide > rect.width():  # shrink a long name to fit before cutting it
            _font(painter, max(pixels * 0.45, pixels * 0.96 * rect.width() / wide), bold)
        painter.setPen(colour)
        height = pixels * 1.25
        line_rect = QRectF(rect.left(), y, rect.width(), height)
        if colour != QColor("black") and content.allergy_alert:
            painter.fillRect(line_rect, QColor("#fde7ea"))
        painter.drawText(line_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                          int(rect.width())))
        y += height


def _paint_code128(painter: QPainter, rect: QRectF, text: str, unit: float) -> None:
    modules = code128_modules(text)
    width = rect.width() / (len(modules) + 2 * QUIET_MODULES)
    bars_height = rect.height() - unit * 2
    x = rect.left() + QUIET_MODULES * width
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    run_start = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = index
        elif bit == "0" and run_start is not None:
            painter.drawRect(QRectF(x + run_start * width, rect.top(),
                                    (index - run_start) * width, bars_height))
            run_start = None
    _font(painter, unit * 1.5)
    painter.setPen(QColor("black"))
    painter.drawText(QRectF(rect.left(), rect.top() + bars_height, rect.width(), unit * 2),
                     int(Qt.AlignmentFlag.AlignCenter), text)


def _paint_qr(painter: QPainter, rect: QRectF, text: str) -> None:
    matrix = qr_matrix(text)
    quiet = 4  # the QR quiet zone is four modules
    size = min(rect.width(), rect.height()) / (len(matrix) + 2 * quiet)
    left = rect.right() - size * (len(matrix) + 2 * quiet) + quiet * size
    top = rect.top() + quiet * size
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                painter.drawRect(QRectF(left + c * size, top + r * size, size, size))
