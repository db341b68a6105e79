"""Live NEWS2: live SpO2 and pulse combined with the latest manual observation.

The monitor measures only SpO2 and pulse; respiration, blood pressure, temperature,
consciousness and air/oxygen come from the nurse's last manual set. A score built on an
old respiration rate is not the patient's score now, so every input older than
``max_age`` is reported as stale and the score is marked incomplete rather than hidden.

Scoring bands follow RCP NEWS2 (2017). Until ``hms_desktop.domain.news2`` (feat/care) lands
the bands live in ``_score_parameter`` here; the lead may point this at news2 then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

PARAMETERS = ("respiration_rate", "spo2", "air_or_oxygen", "systolic_bp", "pulse",
              "consciousness", "temperature")
LIVE_PARAMETERS = frozenset({"spo2", "pulse"})


@dataclass(frozen=True, slots=True)
class ManualObservation:
    """The fields of the latest manual observation that NEWS2 needs (None = not recorded)."""

    at: datetime
    respiration_rate: int | None = None
    systolic_bp: int | None = None
    temperature: float | None = None
    consciousness: str | None = None  # "alert" or new confusion / voice / pain / unresponsive
    on_oxygen: bool | None = None
    spo2: int | None = None  # used only when no live SpO2 is available
    pulse: int | None = None


@dataclass(frozen=True, slots=True)
class LiveNews2:
    score: int
    parts: dict[str, int]
    stale: frozenset[str] = field(default_factory=frozenset)
    missing: frozenset[str] = field(default_factory=frozenset)
    any_three: bool = False

    @property
    def complete(self) -> bool:
        return not self.stale and not self.missing

    @property
    def risk(self) -> str:
        """RCP clinical risk: high (>=7), medium (5-6), low-medium (a 3 in one), low."""
        if self.score >= 7:
            return "high"
        if self.score >= 5:
            return "medium"
        return "low-medium" if self.any_three else "low"

    @property
    def text(self) -> str:
        mark = "" if self.complete else " (incomplete)"
        return f"NEWS2 {self.score}{mark}"


def live_news2(*, now: datetime, live_spo2: int | None, live_pulse: int | None,
               manual: ManualObservation | None, max_age: timedelta = timedelta(hours=4),
               scale2: bool = False) -> LiveNews2:
    """Score what is known now; stale or missing inputs are named, never silently used as 0."""
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
                     missing=missing, any_three=any(p == 3 for p in parts.values()))


def _score_parameter(name: str, value: object, *, on_oxygen: bool, scale2: bool) -> int:
    """One parameter's NEWS2 points; band edges exactly as the RCP chart (inclusive)."""
    if name == "respiration_rate":
        return _bands(float(value), [(8, 3), (11, 1), (20, 0), (24, 2)], 3)  # type: ignore[arg-type]
    if name == "spo2":
        v = float(value)  # type: ignore[arg-type]
        if not scale2:
            return _bands(v, [(91, 3), (93, 2), (95, 1)], 0)
        if v >= 93 and not on_oxygen:
            return 0
        return _bands(v, [(83, 3), (85, 2), (87, 1), (92, 0), (94, 1), (96, 2)], 3)
    if name == "air_or_oxygen":
        return 2 if value else 0
    if name == "systolic_bp":
        return _bands(float(value), [(90, 3), (100, 2), (110, 1), (219, 0)], 3)  # type: ignore[arg-type]
    if name == "pulse":
        return _bands(float(value), [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2)], 3)  # type: ignore[arg-type]
    if name == "consciousness":
        return 0 if str(value).lower() in ("alert", "a") else 3
    if name == "temperature":
        return _bands(round(float(value), 1), [(35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1)], 2)  # type: ignore[arg-type]
    raise ValueError(f"unknown NEWS2 parameter {name!r}")


def _bands(value: float, upper_edges: list[tuple[float, int]], above: int) -> int:
    """Points of the first band whose inclusive upper edge holds ``value``; ``above`` beyond."""
    for edge, points in upper_edges:
        if value <= edge:
            return points
    return above
