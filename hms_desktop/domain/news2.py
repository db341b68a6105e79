"""NEWS2 (Royal College of Physicians, 2017): sub-scores, aggregate, risk band and response.

Pure functions, no I/O. Every band is written as an ordered list of inclusive upper bounds
so that an edge belongs to exactly one band (open implementations have boundary bugs such
as ``8 <= RR >= 25``); tests check every edge against the published table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Consciousness(StrEnum):
    """ACVPU: anything other than alert scores 3."""

    ALERT = "alert"
    CONFUSION = "confusion"  # new confusion
    VOICE = "voice"
    PAIN = "pain"
    UNRESPONSIVE = "unresponsive"


class Risk(StrEnum):
    LOW = "low"
    LOW_MEDIUM = "low-medium"
    MEDIUM = "medium"
    HIGH = "high"


PARAMETERS: tuple[str, ...] = (
    "respiration_rate", "spo2", "air_or_oxygen", "systolic", "pulse", "consciousness",
    "temperature",
)

# (inclusive upper bound, score); the last band has bound None = no upper limit.
_Bands = tuple[tuple[float | None, int], ...]
_RESPIRATION: _Bands = ((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))
_SPO2_SCALE1: _Bands = ((91, 3), (93, 2), (95, 1), (None, 0))
_SPO2_SCALE2_LOW: _Bands = ((83, 3), (85, 2), (87, 1), (92, 0))
_SPO2_SCALE2_OXYGEN_HIGH: _Bands = ((94, 1), (96, 2), (None, 3))
_SYSTOLIC: _Bands = ((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))
_PULSE: _Bands = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))
_TEMPERATURE: _Bands = ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (None, 2))


def _band(value: float, bands: _Bands) -> int:
    for upper, score in bands:
        if upper is None or value <= upper:
            return score
    raise ValueError(f"{value} is above every band")  # only for the open-ended scale-2 low table


def score_respiration(rate: int) -> int:
    return _band(rate, _RESPIRATION)


def score_spo2(spo2: int, *, on_oxygen: bool, scale2: bool = False) -> int:
    """Scale 1, or scale 2 for hypercapnic patients (target 88-92 %)."""
    if not scale2:
        return _band(spo2, _SPO2_SCALE1)
    if spo2 <= 92:
        return _band(spo2, _SPO2_SCALE2_LOW)
    # >= 93: no score on air; on oxygen, over-oxygenation scores (risk of CO2 retention).
    return _band(spo2, _SPO2_SCALE2_OXYGEN_HIGH) if on_oxygen else 0


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return 2 if on_oxygen else 0


def score_systolic(systolic: int) -> int:
    return _band(systolic, _SYSTOLIC)


def score_pulse(pulse: int) -> int:
    return _band(pulse, _PULSE)


def score_consciousness(level: Consciousness) -> int:
    return 0 if Consciousness(level) is Consciousness.ALERT else 3


#: Temperatures are scored to this many decimals (the chart's 0.1 °C steps); forms say so.
TEMPERATURE_DECIMALS = 1
TEMPERATURE_ROUNDING_HINT = "scored to 1 decimal, halves up (38.05 → 38.1)"


def temperature_as_scored(celsius: float | str | Decimal) -> Decimal:
    """The value as entered, to one decimal, halves rounded up (38.05 -> 38.1).

    The chart is in 0.1 °C steps, so a value between two steps must be rounded before it
    is banded. ``round()`` on a binary float rounds 38.05 *down* (it is stored as
    38.04999…) and halves to even, so the decimal text the nurse typed is rounded instead.
    """
    exact = celsius if isinstance(celsius, Decimal) else Decimal(str(celsius))
    return exact.quantize(Decimal(1).scaleb(-TEMPERATURE_DECIMALS), rounding=ROUND_HALF_UP)


def score_temperature(celsius: float | str | Decimal) -> int:
    return _band(float(temperature_as_scored(celsius)), _TEMPERATURE)


def sub_score(parameter: str, value: float | bool | str, *, on_oxygen: bool = False,
              scale2: bool = False) -> int:
    """One parameter's points by its name in ``PARAMETERS`` (for partial, live scoring)."""
    if parameter == "respiration_rate":
        return score_respiration(int(value))
    if parameter == "spo2":
        return score_spo2(int(value), on_oxygen=on_oxygen, scale2=scale2)
    if parameter == "air_or_oxygen":
        return score_air_or_oxygen(bool(value))
    if parameter == "systolic":
        return score_systolic(int(value))
    if parameter == "pulse":
        return score_pulse(int(value))
    if parameter == "consciousness":
        return score_consciousness(Consciousness(str(value).lower()))
    if parameter == "temperature":
        return score_temperature(float(value))
    raise ValueError(f"unknown NEWS2 parameter {parameter!r}")


@dataclass(frozen=True, slots=True)
class News2Response:
    risk: Risk
    monitoring: str
    response: str


_RESPONSES: dict[Risk, tuple[str, str]] = {
    Risk.LOW: ("at least 4-6-hourly", "registered nurse assesses"),
    Risk.LOW_MEDIUM: ("at least hourly", "nurse informs the medical team"),
    Risk.MEDIUM: ("at least hourly", "urgent response"),
    Risk.HIGH: ("continuous", "emergency response, critical-care team"),
}


def response_for(aggregate: int, *, any_three: bool) -> News2Response:
    """Risk band and clinical response from the aggregate and the single-parameter-3 rule."""
    if aggregate >= 7:
        risk = Risk.HIGH
    elif aggregate >= 5:
        risk = Risk.MEDIUM
    elif any_three:
        risk = Risk.LOW_MEDIUM
    else:
        risk = Risk.LOW
    if aggregate == 0:
        return News2Response(Risk.LOW, "at least 12-hourly", "routine")
    monitoring, response = _RESPONSES[risk]
    return News2Response(risk, monitoring, response)


@dataclass(frozen=True, slots=True)
class News2Result:
    """Sub-scores per parameter (keys of PARAMETERS), aggregate and the response."""

    scale: int
    sub_scores: dict[str, int]
    aggregate: int
    risk: Risk
    monitoring: str
    response: str

    @property
    def any_three(self) -> bool:
        return any(score == 3 for score in self.sub_scores.values())


def score_news2(
    *,
    respiration_rate: int,
    spo2: int,
    on_oxygen: bool,
    systolic: int,
    pulse: int,
    consciousness: Consciousness | str,
    temperature: float,
    scale2: bool = False,
) -> News2Result:
    """NEWS2 for one complete set of observations."""
    # Direct calls rather than sub_score's dispatch: scoring a 5,000-set record is on the
    # path of opening it.
    subs = {
        "respiration_rate": score_respiration(respiration_rate),
        "spo2": score_spo2(spo2, on_oxygen=on_oxygen, scale2=scale2),
        "air_or_oxygen": score_air_or_oxygen(on_oxygen),
        "systolic": score_systolic(systolic),
        "pulse": score_pulse(pulse),
        "consciousness": 0 if consciousness == Consciousness.ALERT else 3,
        "temperature": score_temperature(temperature),
    }
    aggregate = sum(subs.values())
    resp = response_for(aggregate, any_three=any(v == 3 for v in subs.values()))
    return News2Result(2 if scale2 else 1, subs, aggregate, resp.risk, resp.monitoring,
                       resp.response)
