"""Record page "Chronic care": enrolment and targets, readings, trend charts with target
bands, and the clinic-wide overdue list."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.chronic import (
    ChronicReading,
    Enrolment,
    GlucoseUnit,
    from_mmol,
    next_due,
    target_misses,
)
from hms_desktop.services import topics
from hms_desktop.ui.care.chronic_forms import EnrolmentForm, ReadingForm
from hms_desktop.ui.care.common import (
    MessageLine,
    PatientPage,
    RowsModel,
    add_labelled,
    describe_error,
    local_text,
    make_table,
    named,
    open_window,
    show_history,
)
from hms_desktop.ui.care.overdue_dialog import OverdueDialog
from hms_desktop.ui.care.trend_chart import TrendChart

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

HEADERS = ("Time", "Glucose", "BP", "Weight kg", "Notes", "Off target")


class ChronicPage(PatientPage):
    tables = (topics.ENROLMENTS, topics.CHRONIC_READINGS)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, "care_chronic_page", "Chronic care")
        self.enrolment: Enrolment | None = None
        self.status = named(QLabel(""), "chronic_status", "Programme status")
        self.enrol_form = EnrolmentForm()
        self.enrol_save = named(QPushButton("&Start enrolment"), "chronic_enrol", "Enrol or save enrolment")
        self.enrol_save.clicked.connect(self._save_enrolment)
        self.enrol_end = named(QPushButton("End enrolment"), "chronic_end", "End enrolment")
        self.enrol_end.clicked.connect(self._end_enrolment)
        self.enrol_history = named(QPushButton("&History…"), "chronic_history", "Enrolment history")
        self.enrol_history.clicked.connect(self._show_history)
        self.enrol_message = MessageLine("chronic_enrol_message", "Enrolment message")
        self.reading_form = ReadingForm()
        self.reading_save = named(QPushButton("&Add reading"), "chronic_add_reading", "Add reading")
        self.reading_save.clicked.connect(self._add_reading)
        self.reading_message = MessageLine("chronic_reading_message", "Reading message")
        self.display_unit = named(QComboBox(), "chronic_display_unit", "Show glucose in")
        self.display_unit.addItems([u.value for u in GlucoseUnit])
        self.display_unit.currentTextChanged.connect(lambda _: self.reload())
        self.overdue_button = named(QPushButton("O&verdue readings…"), "chronic_overdue",
                                    "Overdue readings list")
        self.overdue_button.clicked.connect(self._show_overdue)
        self.model = RowsModel(HEADERS, self)
        self.table = make_table("chronic_table", "Chronic readings", self.model)
        self.glucose_chart = TrendChart("chronic_glucose_chart", "Glucose trend", "glucose")
        self.bp_chart = TrendChart("chronic_bp_chart", "Blood pressure trend", "mmHg")
        self.weight_chart = TrendChart("chronic_weight_chart", "Weight trend", "kg")
        charts = named(QTabWidget(), "chronic_charts", "Chronic trend charts")
        charts.addTab(self.glucose_chart, "Glucose")
        charts.addTab(self.bp_chart, "Blood pressure")
        charts.addTab(self.weight_chart, "Weight")

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self.status)
        ll.addWidget(self.enrol_form)
        row = QHBoxLayout()
        row.addWidget(self.enrol_save)
        row.addWidget(self.enrol_end)
        row.addWidget(self.enrol_history)
        ll.addLayout(row)
        ll.addWidget(self.enrol_message)
        ll.addWidget(self.reading_form)
        ll.addWidget(self.reading_save)
        ll.addWidget(self.reading_message)
        ll.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        top = QHBoxLayout()
        add_labelled(top, [("Show glucose &in", self.display_unit)])
        top.addStretch(1)
        top.addWidget(self.overdue_button)
        rl.addLayout(top)
        rl.addWidget(charts, 1)
        rl.addWidget(self.table, 1)
        split = named(QSplitter(), "chronic_split", "Chronic care layout")
        # The two forms are taller than a laptop screen: they scroll, the window does not grow.
        forms = named(QScrollArea(), "chronic_forms", "Chronic care forms")
        forms.setWidget(left)
        forms.setWidgetResizable(True)
        forms.setFrameShape(QFrame.Shape.NoFrame)
        forms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        forms.setMinimumWidth(left.sizeHint().width() + forms.verticalScrollBar().sizeHint().width())
        split.addWidget(forms)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        self.layout_.addWidget(split, 1)
        # The service refuses these too (services/chronic.py); here they say why beforehand.
        ctx.write_guard.register(self.enrol_form, self.enrol_save, self.enrol_end, needs=Permission.EDIT_RECORD)
        ctx.write_guard.register(self.reading_form, self.reading_save, needs=Permission.RECORD_OBSERVATIONS)
        ctx.write_guard.register(self.overdue_button, needs=Permission.VIEW_RECORD, writes=False)
        self.reload()

    # -- load -----------------------------------------------------------------------------
    def reload(self) -> None:
        pid = self.patient_id
        svc = self.ctx.services.chronic
        self.enrolment = svc.enrolment_for(pid) if pid else None
        readings: list[ChronicReading] = svc.readings_for(pid) if pid else []
        self.show_unreadable(svc.unreadable_for(pid) if pid else [])
        writable = bool(pid) and not self.ctx.session.read_only
        self.enrol_form.setEnabled(writable)
        self.enrol_save.setEnabled(writable)
        self.enrol_end.setEnabled(writable and self.enrolment is not None)
        self.enrol_history.setEnabled(self.enrolment is not None)
        self.reading_form.setEnabled(writable)
        self.reading_save.setEnabled(writable)
        # Both captions on one Alt key: the Record tab made the page's keys unique once, at creation.
        self.enrol_save.setText("&Save enrolment" if self.enrolment else "&Start enrolment")
        self.enrol_form.fill(self.enrolment)
        self.status.setText(self._status_text(readings))
        unit = self.display_unit.currentText()
        rows, marked = [], set()
        newest = list(reversed(readings))
        for i, r in enumerate(newest):
            misses = target_misses(r, self.enrolment) if self.enrolment else []
            if misses:
                marked.add(i)
            glucose = "" if r.glucose_mmol_l is None else f"{from_mmol(r.glucose_mmol_l, unit):.1f} {unit}"
            bp = f"{r.systolic}/{r.diastolic}" if r.systolic is not None else ""
            weight = "" if r.weight_kg is None else f"{r.weight_kg:g}"
            rows.append([local_text(r.at), glucose, bp, weight, r.notes, "; ".join(misses)])
        self.model.set_rows(rows, [r.id for r in newest], marked)
        self._charts(readings, unit)

    def _status_text(self, readings: list[ChronicReading]) -> str:
        e = self.enrolment
        if not self.patient_id:
            return ""
        if e is None:
            return "Not enrolled in the chronic-disease programme."
        last = readings[-1].at.date() if readings else None
        due = next_due(e, last)
        late = (date.today() - due).days
        state = f"OVERDUE by {late} days" if late > 0 else f"next reading due {due.isoformat()}"
        return (f"Enrolled {e.enrolled_on.isoformat()} for {', '.join(e.diseases)}; every "
                f"{e.frequency_days} days; {state}")

    def _charts(self, readings: list[ChronicReading], unit: str) -> None:
        e = self.enrolment
        times = [r.at for r in readings]
        self.glucose_chart.set_series(
            "glucose", times, [None if r.glucose_mmol_l is None else from_mmol(r.glucose_mmol_l, unit)
                               for r in readings], label=f"glucose {unit}")
        lo = e.target_glucose_min if e else None
        hi = e.target_glucose_max if e else None
        self.glucose_chart.set_band("glucose", None if lo is None else from_mmol(lo, unit),
                                    None if hi is None else from_mmol(hi, unit))
        self.bp_chart.set_series("systolic", times, [r.systolic for r in readings], label="systolic")
        self.bp_chart.set_series("diastolic", times, [r.diastolic for r in readings], label="diastolic")
        self.bp_chart.set_band("systolic", None, e.target_systolic_max if e else None)
        self.weight_chart.set_series("weight", times, [r.weight_kg for r in readings], label="weight")
        self.weight_chart.set_band("weight", e.target_weight_min if e else None,
                                   e.target_weight_max if e else None)

    # -- actions --------------------------------------------------------------------------
    def _save_enrolment(self) -> None:
        try:
            values = self.enrol_form.values()
            if self.enrolment is None:
                enrolment = Enrolment(patient_id=self.patient_id, **values)
            else:
                enrolment = Enrolment.model_validate({**self.enrolment.model_dump(), **values})
        except ValueError as exc:
            self.enrol_message.show_error(f"Not saved. {describe_error(exc)}")
            return
        svc = self.ctx.services.chronic
        fn = svc.enrol if self.enrolment is None else svc.update_enrolment

        self.save(fn, enrolment, message=self.enrol_message, what="enrolment",
                  ok_text="Enrolment saved.")

    def _end_enrolment(self) -> None:
        if self.enrolment is None:
            return

        self.save(self.ctx.services.chronic.end_enrolment, self.enrolment.id,
                  message=self.enrol_message, what="end of enrolment", ok_text="Enrolment ended.")

    def _add_reading(self) -> None:
        try:
            reading = ChronicReading(patient_id=self.patient_id, **self.reading_form.values())
        except ValueError as exc:
            self.reading_message.show_error(f"Not saved. {describe_error(exc)}")
            return
        self.save(self.ctx.services.chronic.add_reading, reading, message=self.reading_message,
                  what="chronic reading", ok_text="Reading saved.",
                  warnings=target_misses(reading, self.enrolment) if self.enrolment else [],
                  warn_prefix="Saved; off target: ", after=lambda _: self.reading_form.clear())

    def _show_history(self) -> None:
        if self.enrolment is not None:
            show_history(self, Enrolment, self.enrolment.id, f"History of enrolment {self.enrolment.id}",
                         self.ctx.services.chronic.enrolment_history)

    def _show_overdue(self) -> None:
        open_window(OverdueDialog(self.ctx, self))


def create_chronic_page(ctx: AppContext) -> QWidget:
    return ChronicPage(ctx)
