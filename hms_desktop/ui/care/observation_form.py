"""The manual-observations form and the NEWS2 panel that explains a score."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
)

from hms_desktop.domain.chronic import GlucoseUnit, to_mmol
from hms_desktop.domain.news2 import TEMPERATURE_ROUNDING_HINT, Consciousness, News2Result, Risk
from hms_desktop.ui.care.common import NumberField, add_form_rows, named
from hms_desktop.ui.common.qt_dates import py_datetime, qt_datetime

NOT_RECORDED = "not recorded"
RISK_STYLE = {Risk.LOW: "background:#e8f5e9;", Risk.LOW_MEDIUM: "background:#fff8e1;",
              Risk.MEDIUM: "background:#ffe0b2;", Risk.HIGH: "background:#ffcdd2;"}
SUB_LABELS = {"respiration_rate": "Respiration rate", "spo2": "SpO2", "air_or_oxygen": "Air or oxygen",
              "systolic": "Systolic BP", "pulse": "Pulse", "consciousness": "Consciousness",
              "temperature": "Temperature"}


class ObservationForm(QGroupBox):
    """Entry of one set. Empty fields are "not measured"; ``values()`` raises ValueError
    naming the first field that is not a number, before anything is built or saved."""

    def __init__(self) -> None:
        super().__init__("New observations")
        named(self, "obs_form", "New observations form")
        form = QFormLayout(self)
        self.at = named(QDateTimeEdit(QDateTime.currentDateTime()), "obs_at", "Time taken")
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.respiration = NumberField("obs_respiration", "Respiration rate", integer=True)
        self.spo2 = NumberField("obs_spo2", "SpO2", integer=True)
        self.oxygen = named(QComboBox(), "obs_oxygen", "Air or oxygen")
        self.oxygen.addItems([NOT_RECORDED, "air", "oxygen"])
        self.systolic = NumberField("obs_systolic", "Systolic BP", integer=True)
        self.diastolic = NumberField("obs_diastolic", "Diastolic BP", integer=True)
        self.pulse = NumberField("obs_pulse", "Pulse", integer=True)
        self.consciousness = named(QComboBox(), "obs_consciousness", "Consciousness")
        self.consciousness.addItems([NOT_RECORDED] + [c.value for c in Consciousness])
        self.temperature = NumberField("obs_temperature", "Temperature", integer=False,
                                       placeholder=f"not measured; {TEMPERATURE_ROUNDING_HINT}")
        self.temperature.setToolTip(f"NEWS2 {TEMPERATURE_ROUNDING_HINT}")
        self.glucose = NumberField("obs_glucose", "Blood glucose", integer=False)
        self.glucose_unit = named(QComboBox(), "obs_glucose_unit", "Blood glucose unit")
        self.glucose_unit.addItems([u.value for u in GlucoseUnit])
        self.weight = NumberField("obs_weight", "Weight", integer=False)
        self.note = named(QLineEdit(), "obs_note", "Note")
        add_form_rows(form, [("&Time", self.at), ("&Respiration /min", self.respiration),
                              ("Sp&O2 %", self.spo2), ("Air or o&xygen", self.oxygen),
                              ("S&ystolic mmHg", self.systolic), ("&Diastolic mmHg", self.diastolic),
                              ("&Pulse /min", self.pulse), ("&Consciousness", self.consciousness),
                              ("T&emperature °C", self.temperature), ("&Glucose", self.glucose),
                              ("Glucose &unit", self.glucose_unit), ("&Weight kg", self.weight),
                              ("&Note", self.note)])

    def values(self) -> dict[str, Any]:
        """Field values for ``Observation`` (without patient and recorder)."""
        glucose = self.glucose.value()
        oxygen = self.oxygen.currentText()
        level = self.consciousness.currentText()
        return {
            "at": py_datetime(self.at.dateTime()).astimezone(),
            "respiration_rate": self.respiration.value(),
            "spo2": self.spo2.value(),
            "on_oxygen": None if oxygen == NOT_RECORDED else oxygen == "oxygen",
            "systolic": self.systolic.value(),
            "diastolic": self.diastolic.value(),
            "pulse": self.pulse.value(),
            "consciousness": None if level == NOT_RECORDED else level,
            "temperature": self.temperature.value(),
            "glucose_mmol_l": None if glucose is None else round(
                to_mmol(float(glucose), self.glucose_unit.currentText()), 2),
            "weight_kg": self.weight.value(),
            "note": self.note.text().strip(),
        }

    def clear(self) -> None:
        for field in (self.respiration, self.spo2, self.systolic, self.diastolic, self.pulse,
                      self.temperature, self.glucose, self.weight, self.note):
            field.clear()
        self.oxygen.setCurrentIndex(0)
        self.consciousness.setCurrentIndex(0)
        self.at.setDateTime(QDateTime.currentDateTime())

    def set_time(self, at: datetime) -> None:
        self.at.setDateTime(qt_datetime(at.astimezone()))


class News2Panel(QGroupBox):
    """Aggregate, risk, monitoring and response, and each parameter's sub-score."""

    def __init__(self) -> None:
        super().__init__("NEWS2")
        named(self, "news2_panel", "NEWS2")
        grid = QGridLayout(self)
        self.aggregate = named(QLabel("—"), "news2_aggregate", "NEWS2 aggregate")
        self.aggregate.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.risk = named(QLabel(""), "news2_risk", "NEWS2 risk")
        self.risk.setWordWrap(True)  # "Risk: low (set of …)" must not set the page width
        self.response = named(QLabel(""), "news2_response", "NEWS2 response")
        self.response.setWordWrap(True)
        self.scale = named(QLabel(""), "news2_scale", "NEWS2 SpO2 scale")
        grid.addWidget(self.aggregate, 0, 0, 2, 1)
        grid.addWidget(self.risk, 0, 1)
        grid.addWidget(self.scale, 1, 1)
        grid.addWidget(self.response, 2, 0, 1, 2)
        self.subs: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(SUB_LABELS.items(), start=3):
            grid.addWidget(named(QLabel(label), f"news2_label_{key}", f"NEWS2 {label} label"), row, 0)
            self.subs[key] = named(QLabel("—"), f"news2_sub_{key}", f"{label} sub-score")
            grid.addWidget(self.subs[key], row, 1)

    def show_result(self, result: News2Result | None, when: str = "") -> None:
        if result is None:
            self.aggregate.setText("—")
            self.risk.setText("No complete set of observations")
            self.response.setText("NEWS2 needs respiration, SpO2, air/oxygen, systolic BP, "
                                  "pulse, consciousness and temperature.")
            self.scale.setText("")
            self.setStyleSheet("")
            for label in self.subs.values():
                label.setText("—")
            return
        self.aggregate.setText(str(result.aggregate))
        self.risk.setText(f"Risk: {result.risk.value}" + (f" (set of {when})" if when else ""))
        self.scale.setText(f"SpO2 scale {result.scale}")
        self.response.setText(f"Monitoring {result.monitoring}; response: {result.response}")
        self.setStyleSheet(f"QGroupBox#news2_panel {{{RISK_STYLE[result.risk]}}}")
        for key, label in self.subs.items():
            label.setText(str(result.sub_scores[key]))


