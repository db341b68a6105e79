"""Forms of the chronic-care page: enrolment with targets, and one reading."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
)

from hms_desktop.domain.chronic import Enrolment, GlucoseUnit, from_mmol, to_mmol
from hms_desktop.ui.care.common import NumberField, add_form_rows, named
from hms_desktop.ui.common.qt_dates import py_date, py_datetime, qt_date


def _glucose(field: NumberField, unit: str) -> float | None:
    value = field.value()
    return None if value is None else round(to_mmol(float(value), unit), 2)


class EnrolmentForm(QGroupBox):
    """Diseases, frequency, doctor, notes and targets; glucose targets in the chosen unit."""

    def __init__(self) -> None:
        super().__init__("Programme enrolment")
        named(self, "chronic_enrol_form", "Programme enrolment form")
        form = QFormLayout(self)
        self.diseases = named(QLineEdit(), "chronic_diseases", "Diseases")
        self.diseases.setPlaceholderText("separate with ;  e.g. Type 2 diabetes; Hypertension")
        self.frequency = named(QSpinBox(), "chronic_frequency", "Monitoring frequency in days")
        self.frequency.setRange(1, 366)
        self.frequency.setValue(30)
        self.frequency.setSuffix(" days")
        self.doctor = named(QLineEdit(), "chronic_doctor", "Assigned doctor")
        self.notes = named(QLineEdit(), "chronic_lifestyle", "Lifestyle notes")
        self.enrolled_on = named(QDateEdit(QDate.currentDate()), "chronic_enrolled_on", "Enrolled on")
        self.enrolled_on.setCalendarPopup(True)
        self.enrolled_on.setDisplayFormat("yyyy-MM-dd")
        self.sys_max = NumberField("chronic_target_sys", "Target systolic below", integer=True,
                                   placeholder="e.g. 140")
        self.dia_max = NumberField("chronic_target_dia", "Target diastolic below", integer=True,
                                   placeholder="e.g. 90")
        self.unit = named(QComboBox(), "chronic_target_unit", "Glucose target unit")
        self.unit.addItems([u.value for u in GlucoseUnit])
        self.glu_min = NumberField("chronic_target_glu_min", "Target glucose minimum", integer=False,
                                   placeholder="none")
        self.glu_max = NumberField("chronic_target_glu_max", "Target glucose maximum", integer=False,
                                   placeholder="none")
        self.wt_min = NumberField("chronic_target_wt_min", "Target weight minimum", integer=False,
                                  placeholder="none")
        self.wt_max = NumberField("chronic_target_wt_max", "Target weight maximum", integer=False,
                                  placeholder="none")
        add_form_rows(form, [("&Diseases", self.diseases), ("&Frequency", self.frequency),
                         ("Assigned &doctor", self.doctor), ("&Lifestyle notes", self.notes),
                         ("Enrolled &on", self.enrolled_on),
                         ("Target s&ystolic <", self.sys_max), ("Target d&iastolic <", self.dia_max),
                         ("Glucose target &unit", self.unit), ("Glucose target mi&n", self.glu_min),
                         ("Glucose target ma&x", self.glu_max), ("Weight target min kg", self.wt_min),
                         ("Weight target max kg", self.wt_max)])

    def values(self) -> dict[str, Any]:
        unit = self.unit.currentText()
        return {
            "diseases": [d.strip() for d in self.diseases.text().split(";") if d.strip()],
            "frequency_days": self.frequency.value(),
            "assigned_doctor": self.doctor.text().strip(),
            "lifestyle_notes": self.notes.text().strip(),
            "enrolled_on": py_date(self.enrolled_on.date()),
            "target_systolic_max": self.sys_max.value(),
            "target_diastolic_max": self.dia_max.value(),
            "target_glucose_min": _glucose(self.glu_min, unit),
            "target_glucose_max": _glucose(self.glu_max, unit),
            "target_weight_min": self.wt_min.value(),
            "target_weight_max": self.wt_max.value(),
        }

    def fill(self, e: Enrolment | None) -> None:
        """Fill from an enrolment (or clear for a new one)."""
        def txt(v: float | None) -> str:
            return "" if v is None else f"{v:g}"

        unit = self.unit.currentText()
        self.diseases.setText("; ".join(e.diseases) if e else "")
        self.frequency.setValue(e.frequency_days if e else 30)
        self.doctor.setText(e.assigned_doctor if e else "")
        self.notes.setText(e.lifestyle_notes if e else "")
        self.enrolled_on.setDate(qt_date(e.enrolled_on if e else date.today()))
        self.sys_max.setText(txt(e.target_systolic_max) if e else "")
        self.dia_max.setText(txt(e.target_diastolic_max) if e else "")
        for field, v in ((self.glu_min, e.target_glucose_min if e else None),
                         (self.glu_max, e.target_glucose_max if e else None)):
            field.setText("" if v is None else f"{round(from_mmol(v, unit), 1):g}")
        self.wt_min.setText(txt(e.target_weight_min) if e else "")
        self.wt_max.setText(txt(e.target_weight_max) if e else "")


class ReadingForm(QGroupBox):
    """One reading: glucose (mmol/L or mg/dL, stored as mmol/L), BP, weight, notes."""

    def __init__(self) -> None:
        super().__init__("New reading")
        named(self, "chronic_reading_form", "New reading form")
        form = QFormLayout(self)
        self.at = named(QDateTimeEdit(QDateTime.currentDateTime()), "reading_at", "Reading time")
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.glucose = NumberField("reading_glucose", "Glucose", integer=False)
        self.unit = named(QComboBox(), "reading_unit", "Glucose unit")
        self.unit.addItems([u.value for u in GlucoseUnit])
        self.systolic = NumberField("reading_systolic", "Reading systolic", integer=True)
        self.diastolic = NumberField("reading_diastolic", "Reading diastolic", integer=True)
        self.weight = NumberField("reading_weight", "Reading weight", integer=False)
        self.notes = named(QLineEdit(), "reading_notes", "Reading notes")
        add_form_rows(form, [("&Time", self.at), ("&Glucose", self.glucose), ("Glucose u&nit", self.unit),
                         ("&Systolic mmHg", self.systolic), ("D&iastolic mmHg", self.diastolic),
                         ("&Weight kg", self.weight), ("N&otes", self.notes)])

    def values(self) -> dict[str, Any]:
        return {
            "at": py_datetime(self.at.dateTime()).astimezone(),
            "glucose_mmol_l": _glucose(self.glucose, self.unit.currentText()),
            "systolic": self.systolic.value(),
            "diastolic": self.diastolic.value(),
            "weight_kg": self.weight.value(),
            "notes": self.notes.text().strip(),
        }

    def clear(self) -> None:
        for field in (self.glucose, self.systolic, self.diastolic, self.weight, self.notes):
            field.clear()
        self.at.setDateTime(QDateTime.currentDateTime())
