"""Record page "Observations": enter vitals (two-tier validation), NEWS2 with sub-scores,
the per-patient SpO2 scale 2 flag, the list of sets and the NEWS2 trend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.news2 import News2Result
from hms_desktop.domain.observations import Observation
from hms_desktop.services import topics
from hms_desktop.ui.care.common import (
    MessageLine,
    PatientPage,
    RowsModel,
    describe_error,
    local_text,
    make_table,
    named,
    open_window,
)
from hms_desktop.ui.care.observation_form import News2Panel, ObservationForm
from hms_desktop.ui.care.ranges_dialog import RangesDialog
from hms_desktop.ui.care.trend_chart import TrendChart

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

HEADERS = ("Time", "Resp", "SpO2", "Air/O2", "BP", "Pulse", "ACVPU", "Temp", "Glucose",
           "Weight", "NEWS2", "Risk", "By")
# The widest text each column can hold (values are bounded by the hard limits); "By" takes
# the rest of the row.
WIDEST = ("2026-12-31 23:59", "80", "100", "air", "300/200", "300", "unresponsive", "45.05",
          "60.05", "500.05", "20 (scale 2)", "low-medium")


def _fixed_widths(table: QTableView) -> None:
    """Columns sized once from their widest possible text: sizing them to their contents
    re-measured fifty rows at every reload, two thirds of opening a 5,000-set record."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    metrics = table.fontMetrics()
    for column, text in enumerate(WIDEST):
        wide = max(metrics.horizontalAdvance(text), metrics.horizontalAdvance(HEADERS[column]))
        header.resizeSection(column, wide + 3 * metrics.averageCharWidth())


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _row(o: Observation, result: News2Result | None) -> list[str]:
    o2 = "" if o.on_oxygen is None else "O2" if o.on_oxygen else "air"
    bp = f"{o.systolic}/{o.diastolic or '–'}" if o.systolic is not None else ""
    return [local_text(o.at), _cell(o.respiration_rate), _cell(o.spo2), o2, bp, _cell(o.pulse),
            o.consciousness.value if o.consciousness else "", _cell(o.temperature),
            _cell(o.glucose_mmol_l), _cell(o.weight_kg),
            f"{result.aggregate} (scale {result.scale})" if result else "incomplete",
            result.risk.value if result else "", o.recorded_by]


class ObservationsPage(PatientPage):
    tables = (topics.OBSERVATIONS, topics.NEWS2_SCALES, topics.CLINICAL_RANGES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, "care_observations_page", "Observations")
        self.form = ObservationForm()
        self.save_button = named(QPushButton("&Save observations"), "obs_save",
                                 "Save observations")
        self.save_button.clicked.connect(self._save)
        self.message = MessageLine("obs_message", "Observations message")
        self.panel = News2Panel()
        self.scale2 = named(QCheckBox("Use SpO2 scale &2 (hypercapnic respiratory failure)"),
                            "obs_scale2", "Use SpO2 scale 2")
        self.scale2_reason = named(QLineEdit(), "obs_scale2_reason", "Reason for SpO2 scale 2")
        self.scale2_reason.setPlaceholderText("reason, e.g. confirmed hypercapnic failure (ABG)")
        self.scale2.toggled.connect(self._scale_toggled)
        self.ranges_button = named(QPushButton("Clinical &ranges…"), "obs_ranges",
                                   "Edit clinical ranges")
        self.ranges_button.clicked.connect(self._edit_ranges)
        self.model = RowsModel(HEADERS, self)
        self.table = make_table("obs_table", "Observation sets", self.model)
        _fixed_widths(self.table)
        self.chart = TrendChart("obs_news2_chart", "NEWS2 trend", "NEWS2")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.form)
        left_layout.addWidget(self.save_button)
        left_layout.addWidget(self.message)
        left_layout.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        # Two rows: on one, the scale checkbox, its reason and the ranges button made the page
        # wider than a 960-pixel screen (1920×1080 at 2×).
        right_layout.addWidget(self.scale2)
        scale_row = QHBoxLayout()
        scale_row.addWidget(self.scale2_reason, 1)
        scale_row.addWidget(self.ranges_button)
        right_layout.addLayout(scale_row)
        right_layout.addWidget(self.panel)
        right_layout.addWidget(self.chart, 1)
        right_layout.addWidget(self.table, 1)
        split = named(QSplitter(), "obs_split", "Observations layout")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        self.layout_.addWidget(split, 1)
        self._loading = False
        self.reload()

    # -- load -----------------------------------------------------------------------------
    def reload(self) -> None:
        pid = self.patient_id
        enabled = bool(pid) and not self.ctx.session.read_only
        for w in (self.form, self.save_button, self.scale2, self.scale2_reason):
            w.setEnabled(enabled)
        svc = self.ctx.services.observations
        sets = svc.sets_for(pid) if pid else None  # oldest first; models built when shown
        self.show_unreadable(svc.unreadable_for(pid) if pid else [])
        self._loading = True
        try:
            on = bool(pid) and svc.is_scale2(pid)
            self.scale2.setChecked(on)
        finally:
            self._loading = False
        if sets is None:
            self.model.set_items([], [], lambda pair: _row(*pair))
            self.panel.show_result(None, "")
            self.chart.set_series("news2", np.array([]), np.array([]), label="NEWS2 aggregate")
            return
        newest = sets.newest_first()
        high = np.flatnonzero(sets.aggregate >= 5)  # NaN (incomplete) compares false
        self.model.set_items(newest, newest.ids(), lambda pair: _row(*pair),
                             set((len(sets) - 1 - high).tolist()))
        latest = sets.latest_complete
        self.panel.show_result(svc.news2_for(pid), local_text(latest.at) if latest else "")
        scored = sets.complete
        self.chart.set_series("news2", sets.epoch[scored], sets.aggregate[scored],
                              label="NEWS2 aggregate")

    # -- save -----------------------------------------------------------------------------
    def _save(self) -> None:
        pid = self.patient_id
        if not pid:
            self.message.show_error("Select a patient first.")
            return
        try:
            values = self.form.values()
            obs = Observation(patient_id=pid, recorded_by=self.ctx.session.actor,
                              **values)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            self.message.show_error(f"Not saved. {describe_error(exc)}")
            return
        svc = self.ctx.services.observations
        self.save(svc.record, obs, message=self.message, what="observations", ok_text="Saved.",
                  warnings=svc.warnings_for(obs), after=lambda _: self.form.clear())

    def _scale_toggled(self, checked: bool) -> None:
        if self._loading or not self.patient_id:
            return
        reason = self.scale2_reason.text().strip()
        if checked and not reason:
            self.message.show_error("Give the reason for SpO2 scale 2 before ticking it.")
            self._loading = True
            self.scale2.setChecked(False)
            self._loading = False
            return

        def done(_: Any) -> None:
            self.message.show_ok(f"SpO2 scale {'2' if checked else '1'} set for this patient.")

        self.run(self.ctx.services.observations.set_scale2, self.patient_id, checked,
                 reason=reason, set_by=self.ctx.session.actor, message=self.message, what="SpO2 scale", on_done=done)

    def _edit_ranges(self) -> None:
        open_window(RangesDialog(self.ctx, self))


def create_observations_page(ctx: AppContext) -> QWidget:
    return ObservationsPage(ctx)
