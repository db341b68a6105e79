"""Values no sensor can produce: the one table every parser checks its readings against.

A frame whose numbers fall outside these ranges is corrupt (a flipped bit, noise that
happens to look like a frame, a broken device): the parser drops it and counts it as a
bad frame, so it is never shown, recorded or fed to alarms. Each protocol's own
"missing" markers (SpO2 127, PR 255, HR 511, dashes, SFLOAT NaN) are mapped to None
before this check and are never bad frames.

The ranges are what a sensor can physically report, not clinical limits: SpO2 is a
percentage (0-100); pulse oximeters and heart-rate straps report at most ~300-350/min
(the plain-text protocol's documented range, docs/devices.md); the perfusion index is
0.02-20 % on Masimo and Nonin devices (30 leaves headroom); a clinical thermometer reads
25-45 °C.
"""

from __future__ import annotations

from dataclasses import dataclass

from hms_desktop.domain.readings import Reading


@dataclass(frozen=True)
class Limit:
    label: str
    low: float
    high: float
    unit: str

    def reason(self, value: float) -> str | None:
        """Why ``value`` is impossible, or None when a sensor could have produced it."""
        if self.low <= value <= self.high:  # False for NaN too
            return None
        return f"{self.label} {value:g} is outside {self.low:g}..{self.high:g} {self.unit}"


SPO2 = Limit("SpO2", 0, 100, "%")
PULSE = Limit("pulse rate", 0, 350, "beats/min")
HEART_RATE = Limit("heart rate", 0, 350, "beats/min")
PERFUSION_INDEX = Limit("perfusion index", 0, 30, "%")
TEMPERATURE_C = Limit("temperature", 25, 45, "°C")
GLUCOSE_MMOL_L = Limit("glucose", 0.5, 60, "mmol/L")
STEPS = Limit("steps", 0, 10_000_000, "steps")
SIGNAL_STRENGTH = Limit("signal strength", 0, 15, "")
PLETH = Limit("pleth sample", 0, 1, "(scaled)")
# A beat-to-beat interval is the inverse of a heart rate: shorter than 60/350 s is impossible.
RR_INTERVAL_S = Limit("RR interval", 60 / 350, 60, "s")

# Reading attribute -> its limit (rr_intervals_s and pleth are tuples, checked per item).
NUMERIC_LIMITS: tuple[tuple[str, Limit], ...] = (
    ("spo2", SPO2),
    ("pulse_rate", PULSE),
    ("heart_rate", HEART_RATE),
    ("perfusion_index", PERFUSION_INDEX),
    ("temperature_c", TEMPERATURE_C),
    ("glucose_mmol_l", GLUCOSE_MMOL_L),
    ("steps", STEPS),
    ("signal_strength", SIGNAL_STRENGTH),
)


def impossible(reading: Reading) -> str | None:
    """The first value in ``reading`` no sensor can produce, as a sentence; None if all are possible."""
    for attribute, limit in NUMERIC_LIMITS:
        value = getattr(reading, attribute)
        if value is not None:
            reason = limit.reason(value)
            if reason is not None:
                return reason
    for sample in reading.pleth:
        if not (0.0 <= sample <= 1.0):
            return PLETH.reason(sample)
    for interval in reading.rr_intervals_s:
        reason = RR_INTERVAL_S.reason(interval)
        if reason is not None:
            return reason
    return None
