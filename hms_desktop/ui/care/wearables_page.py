"""Record page "Wearables": the patient's readings over a chosen period, one trend at a
time, and the CSV import. Day files are read on the writer, never on the GUI thread."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.wearables import VALUE_FIELDS
from hms_desktop.services import topics
from hms_desktop.ui.care.common import (
    PatientPage,
    RowsModel,
    add_labelled,
    make_table,
    named,
    open_window,
)
from hms_desktop.ui.care.trend_chart import TrendChart
from hms_desktop.ui.care.wearable_import import FIELD_LABELS, WearableImportDialog

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last year": 365}
TABLE_ROWS = 500  # newest rows in the table; the chart shows the whole period


def _fmt(value: float) -> str:
    return "" if np.isnan(value) else f"{value:g}"


class WearablesPage(PatientPage):
    tables = (topics.WEARABLES,)

    def __init__(self, ctx: AppContext, *, today: date | None = None) -> None:
        super().__init__(ctx, "care_wearables_page", "Wearables")
        self.today = today
        self.period = named(QComboBox(), "wearables_period", "Period")
        self.period.addItems(list(PERIODS))
        self.period.setCurrentText("Last 30 days")
        self.field = named(QComboBox(), "wearables_field", "Reading shown")
        for f in VALUE_FIELDS:
            self.field.addItem(FIELD_LABELS[f], f)
        self.status = named(QLabel(""), "wearables_status", "Wearables status")
        self.import_button = named(QPushButton("&Import CSV…"), "wearables_import",
                                   "Import wearable CSV")
        self.import_button.clicked.connect(self._import)
        ctx.write_guard.register(self.import_button, needs=Permission.RECORD_OBSERVATIONS)
        self.chart = TrendChart("wearables_chart", "Wearable trend", "")
        self.model = RowsModel(["Time", "Device"] + [FIELD_LABELS[f] for f in VALUE_FIELDS], self)
        self.table = make_table("wearables_table", "Wearable readings", self.model)
        bar = QHBoxLayout()
        add_labelled(bar, [("&Period", self.period), ("&Show", self.field)])
        bar.addWidget(self.status, 1)
        bar.addWidget(self.import_button)
        self.layout_.addLayout(bar)
        self.layout_.addWidget(self.chart, 2)
        self.layout_.addWidget(self.table, 1)
        self.period.currentTextChanged.connect(lambda _: self.reload())
        self.field.currentIndexChanged.connect(lambda _: self._draw())
        self._series: dict[str, Any] = {}
        self._generation = 0
        self.reload()

    def _on_change(self, change: Any) -> None:
        # Wearable changes carry patient ids: reload only for ours (the feed appends often).
        if change.table == topics.WEARABLES and self.patient_id in change.ids:
            self.reload()

    def reload(self) -> None:
        pid = self.patient_id
        self.import_button.setEnabled(bool(pid) and not self.ctx.session.read_only)
        self._generation += 1
        generation = self._generation
        if not pid:
            self._series = {}
            self._draw()
            return
        end = self.today or date.today()
        start = end - timedelta(days=PERIODS[self.period.currentText()] - 1)
        self.status.setText("Loading…")

        def loaded(series: dict[str, Any]) -> None:
            if generation == self._generation:  # a newer request superseded this one
                self._series = series
                self._draw()

        self.ctx.run(self.ctx.services.wearables.series_for, pid, start, end, on_done=loaded,
                     what="wearable readings")

    def _draw(self) -> None:
        s = self._series
        field = self.field.currentData()
        n = len(s.get("t", ()))
        if not n:
            self.chart.clear_all()
            self.model.set_rows([], [])
            self.status.setText("No wearable readings in this period." if self.patient_id else "")
            return
        self.chart.set_series("wearable", s["t"], s[field], label=FIELD_LABELS[field],
                              symbols=False)
        rows = []
        for i in range(n - 1, max(-1, n - 1 - TABLE_ROWS), -1):
            when = datetime.fromtimestamp(float(s["t"][i])).strftime("%Y-%m-%d %H:%M")
            rows.append([when, s["device_id"][i]] + [_fmt(float(s[f][i])) for f in VALUE_FIELDS])
        self.model.set_rows(rows, [str(i) for i in range(len(rows))])
        self.status.setText(f"{n} readings")

    def _import(self) -> None:
        open_window(WearableImportDialog(self.ctx, self.patient_id, self))


def create_wearables_page(ctx: AppContext) -> QWidget:
    return WearablesPage(ctx)
