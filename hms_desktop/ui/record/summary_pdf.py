"""Print the patient summary to a PDF file with QtPrintSupport."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter


def print_html_to_pdf(html: str, path: Path, title: str) -> Path:
    """A4 PDF of ``html``. Runs on the GUI thread (Qt printing needs it); a summary is a few
    kilobytes, so this is a short, user-initiated write, not a stall."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(title)
    printer.setOutputFileName(str(path))
    document = QTextDocument()
    document.setHtml(html)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.print_(printer)
    return path
