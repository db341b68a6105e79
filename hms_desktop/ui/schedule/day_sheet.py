"""Printable day sheet per provider (PDF): the day's appointments in time order.

Rendered with QTextDocument onto a QPdfWriter; a plain function so it can run on the
background writer and be tested by reading the PDF back.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from hms_desktop.ui.schedule.items import STATUS_LABELS, CalendarItem


def day_sheet_html(provider: str, day: date, items: list[CalendarItem]) -> str:
    rows = "".join(
        f"<tr><td>{it.start:%H:%M}–{it.end:%H:%M}</td><td>{escape(it.patient_id)}</td>"
        f"<td>{escape(it.title)}</td><td>{STATUS_LABELS[it.status]}</td><td>{escape(it.id)}</td></tr>"
        for it in sorted(items, key=lambda i: i.start))
    body = rows or "<tr><td colspan='5'>No appointments.</td></tr>"
    return (f"<h2>Day sheet: {escape(provider)}</h2><p>{day:%A %d %B %Y} — {len(items)} appointments</p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            "<tr><th>Time</th><th>Patient</th><th>Details</th><th>Status</th><th>Appointment</th></tr>"
            f"{body}</table>")


def write_day_sheet(path: Path, provider: str, day: date, items: list[CalendarItem]) -> Path:
    """Write an A4 PDF; returns the path (for the completion callback)."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setTitle(f"Day sheet {provider} {day:%Y-%m-%d}")
    document = QTextDocument()
    document.setHtml(day_sheet_html(provider, day, items))
    document.print_(writer)
    return path
