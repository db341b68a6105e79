"""Print the patient summary: A4 pages, each with who it is about and "Page n of N".

QTextDocument.print_ numbers pages but repeats nothing else; a loose second page of a
summary must still say whose it is, from which clinic and when it was printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrinter


@dataclass(frozen=True, slots=True)
class PageFrame:
    header: str  # e.g. "Patient summary — Zoë NÚÑEZ (PAT000001) — Riverside Surgery"
    footer: str  # e.g. "Printed 2026-12-03 10:05 (Europe/London)"; "Page n of N" is added


PageProgress = Callable[[int, int], None]  # (pages printed, pages in all)


def print_paginated(html: str, printer: QPrinter, frame: PageFrame, on_page: PageProgress | None = None) -> int:
    """Print ``html`` on ``printer`` with the frame's header and footer on every page; returns
    the number of pages. ``on_page`` hears of each page printed (a long record is many)."""
    document = QTextDocument()
    document.documentLayout().setPaintDevice(printer)  # printer fonts: the pages break where printed
    document.setHtml(html)
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    small = QFont(document.defaultFont())
    small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
    line = QPainter()
    band = printer.resolution() * 0.35  # header and footer bands, about 9 mm each
    body = QSizeF(page.width(), page.height() - 2 * band)
    document.setPageSize(body)
    pages = max(1, document.pageCount())
    if not line.begin(printer):
        raise OSError(f"the printer could not start ({printer.outputFileName() or printer.printerName()})")
    try:
        for n in range(pages):
            if n:
                printer.newPage()
            line.setFont(small)
            line.drawText(QRectF(0, 0, page.width(), band), int(Qt.AlignmentFlag.AlignLeft
                                                                | Qt.AlignmentFlag.AlignTop), frame.header)
            line.drawText(QRectF(0, page.height() - band, page.width(), band),
                          int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), frame.footer)
            line.drawText(QRectF(0, page.height() - band, page.width(), band),
                          int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                          f"Page {n + 1} of {pages}")
            line.save()
            line.translate(0, band - n * body.height())
            document.drawContents(line, QRectF(0, n * body.height(), body.width(), body.height()))
            line.restore()
            if on_page is not None:
                on_page(n + 1, pages)
    finally:
        line.end()
    return pages


def print_html_to_pdf(html: str, path: Path, title: str, frame: PageFrame | None = None,
                      on_page: PageProgress | None = None) -> Path:
    """A4 PDF of ``html``. Runs on a reader thread (``AppContext.query``): Qt paints on a
    QPrinter and lays out a QTextDocument outside the GUI thread, and a long record takes
    seconds to lay out."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(title)
    printer.setOutputFileName(str(path))
    print_paginated(html, printer, frame or PageFrame(title, ""), on_page)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the summary could not be written to {path}")
    return path
