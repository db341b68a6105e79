"""Live NEWS2: live SpO2 and pulse combined with the latest manual observation.

The monitor measures only SpO2 and pulse; respiration, blood pressure, temperature,
consciousness and air/oxygen come from the nurse's last manual set. A score built on an
old respiration rate is not the patient's score now, so every input older than
``max_age`` is reported as stale. A score with inputs missing or stale is shown as
"partial" with the inputs named, never as a bare number that reads like a real NEWS2
("NEWS2 0 (incomplete)" did); missing inputs can only add points, so a partial sum is a
lower bound ("≥ 3"). NEWS2 is validated for adults: for a patient under 16 it does not apply.

Scoring bands are those of ``hms_desktop.domain.news2`` (one definition of every band edge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hms_desktop.domain import news2

PARAMETERS = ("respiration_rate", "spo2", "air_or_oxygen", "systolic_bp", "pulse",
              "consciousness", "temperature")
LIVE_PARAMETERS = frozenset({"spo2", "pulse"})
#: Short names for tiles, in chart order.
SHORT_LABELS = {"respiration_rate": "RR", "spo2": "SpO2", "air_or_oxygen": "air/O2",
                "systolic_bp": "BP", "pulse": "pulse", "consciousness": "ACVPU",
                "temperature": "temp"}
#: Full names for the bed view and screen readers.
LABELS = {"respiration_rate": "respiration rate", "spo2": "SpO2", "air_or_oxygen": "air or oxygen",
          "systolic_bp": "systolic BP", "pulse": "pulse", "consciousness": "consciousness",
          "temperature": "temperature"}
ADULT_AGE = 16
NOT_APPLICABLE_TEXT = f"NEWS2 does not apply (under {ADULT_AGE})"


@dataclass(frozen=True, slots=True)
class ManualObservation:
    """The fields of the latest manual observation that NEWS2 needs (None = not recorded)."""

    at: datetime
    respiration_rate: int | None = None
    systolic_bp: int | None = None
    temperature: float | None = None
    consciousness: str | None = None  # "alert" or new confusion / voice / pain / unresponsive
    on_oxygen: bool | None = None
    scale2: bool = False  # the patient's NEWS2 SpO2 scale (hypercapnic target 88-92 %)
    spo2: int | None = None  # used only when no live SpO2 is available
    pulse: int | None = None
    born: date | None = None  # the patient's date of birth: NEWS2 applies from 16 years


@dataclass(frozen=True, slots=True)
class LiveNews2:
    score: int
    parts: dict[str, int]
    stale: frozenset[str] = field(default_factory=frozenset)
    missing: frozenset[str] = field(default_factory=frozenset)
    any_three: bool = False
    applies: bool = True  # False for a patient under 16
    max_age: timedelta = timedelta(hours=4)

    @property
    def complete(self) -> bool:
        return self.applies and not self.stale and not self.missing

    @property
    def risk(self) -> str:
        """RCP clinical risk: high (>=7), medium (5-6), low-medium (a 3 in one), low."""
        return news2.response_for(self.score, any_three=self.any_three).risk.value

    @property
    def text(self) -> str:
        """Tile text: "NEWS2 5", "NEWS2 partial ≥3 — missing RR, BP…", or "does not apply"."""
        if not self.applies:
            return NOT_APPLICABLE_TEXT
        if self.complete:
            return f"NEWS2 {self.score}"
        return f"NEWS2 partial ≥{self.score} — {self._inputs(SHORT_LABELS)}"

    @property
    def detail(self) -> str:
        """Bed-view text naming every missing and stale input in full."""
        if not self.applies:
            return "NEWS2 is validated for patients aged 16 and over; use a paediatric score."
        if self.complete:
            return ""
        inputs = self._inputs(LABELS)
        return (f"Partial score: only what is known is added, so the NEWS2 is at least "
                f"{self.score}. {inputs[:1].upper()}{inputs[1:]}.")

    def _inputs(self, labels: dict[str, str]) -> str:
        parts = []
        if self.missing:
            parts.append("missing " + ", ".join(labels[p] for p in PARAMETERS if p in self.missing))
        if self.stale:
            hours = self.max_age.total_seconds() / 3600
            parts.append(f"older than {hours:g} h: " + ", ".join(labels[p] for p in PARAMETERS
                                                                if p in self.stale))
        return "; ".join(parts)


def live_news2(*, now: datetime, live_spo2: int | None, live_pulse: int | None,
               manual: ManualObservation | None, max_age: timedelta = timedelta(hours=4),
               scale2: bool | None = None) -> LiveNews2:
    """Score what is known now; stale or missing inputs are named, never silently used as 0.

    ``scale2`` None means "as the manual observation says" (scale 1 without one).
    """
    if manual is not None and manual.born is not None and _age(manual.born, now.date()) < ADULT_AGE:
        return LiveNews2(score=0, parts={}, applies=False, max_age=max_age)
    if scale2 is None:
        scale2 = bool(manual and manual.scale2)
    values: dict[str, object] = dict.fromkeys(PARAMETERS)
    stale: set[str] = set()
    if manual is not None:
        old = now - manual.at > max_age
        manual_values = {"respiration_rate": manual.respiration_rate,
                         "systolic_bp": manual.systolic_bp, "temperature": manual.temperature,
                         "consciousness": manual.consciousness, "air_or_oxygen": manual.on_oxygen,
                         "spo2": manual.spo2, "pulse": manual.pulse}
        for name, value in manual_values.items():
            if value is not None:
                values[name] = value
                if old:
                    stale.add(name)
    for name, value in (("spo2", live_spo2), ("pulse", live_pulse)):
        if value is not None:  # a live value is fresh by definition
            values[name] = value
            stale.discard(name)
    on_oxygen = bool(values["air_or_oxygen"])
    parts = {name: _score_parameter(name, value, on_oxygen=on_oxygen, scale2=scale2)
             for name, value in values.items() if value is not None}
    missing = frozenset(n for n, v in values.items() if v is None)
    return LiveNews2(score=sum(parts.values()), parts=parts, stale=frozenset(stale),
                     missing=missing, any_three=any(p == 3 for p in parts.values()), max_age=max_age)


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_NEWS2_NAMES = {"systolic_bp": "systolic"}  # our field name -> domain.news2's parameter name


def _score_parameter(name: str, value: object, *, on_oxygen: bool, scale2: bool) -> int:
    """One parameter's points, by the NEWS2 bands of ``hms_desktop.domain.news2``."""
    if name not in PARAMETERS:
        raise ValueError(f"unknown NEWS2 parameter {name!r}")
    return news2.sub_score(_NEWS2_NAMES.get(name, name), value,  # type: ignore[arg-type]
                           on_oxygen=on_oxygen, scale2=scale2)
