"""The plain-text line protocol for simple wearable readers (docs/devices.md).

One reading per line: ``HR=72 SPO2=98 STEPS=1200 GLU=5.4 TEMP=36.8``. Fields are
``KEY=VALUE`` separated by spaces, commas or semicolons; keys are case-insensitive;
``-`` (or ``--``, ``NA``) means "no value". Unknown keys, repeated keys, unreadable
numbers and values outside a plausible human range reject the line with a reason naming
the field, so a mistake in a hobbyist's sketch shows up instead of wrong numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hms_desktop.devices.protocols.base import LineParser
from hms_desktop.domain.readings import DeviceFlag, Reading


@dataclass(frozen=True)
class TextField:
    key: str
    attribute: str
    kind: Callable[[str], float | int]
    low: float
    high: float
    unit: str


FIELDS = {
    f.key: f
    for f in (
        TextField("HR", "heart_rate", int, 0, 350, "beats/min"),
        TextField("PR", "pulse_rate", int, 0, 350, "beats/min"),
        TextField("SPO2", "spo2", int, 0, 100, "%"),
        TextField("PI", "perfusion_index", float, 0, 30, "%"),
        TextField("STEPS", "steps", int, 0, 10_000_000, "steps"),
        TextField("GLU", "glucose_mmol_l", float, 0.5, 60, "mmol/L"),
        TextField("TEMP", "temperature_c", float, 25, 45, "°C"),
    )
}
FLAG_KEY = "FLAGS"  # optional: FLAGS=finger_out|low_battery
_SEPARATORS = re.compile(r"[\s,;]+")
_NONE = {"-", "--", "NA", "N/A"}


class TextLineParser(LineParser):
    def parse_line(self, line: str) -> Reading:
        values: dict[str, object] = {}
        seen: set[str] = set()
        flags: set[DeviceFlag] = set()
        for token in filter(None, _SEPARATORS.split(line.strip())):
            key, sep, raw = token.partition("=")
            key = key.upper()
            if not sep or not key:
                raise ValueError(f"'{token[:20]}' is not KEY=VALUE")
            if key in seen:
                raise ValueError(f"field {key} appears twice")
            seen.add(key)
            if key == FLAG_KEY:
                flags |= _parse_flags(raw)
                continue
            spec = FIELDS.get(key)
            if spec is None:
                raise ValueError(f"unknown field {key[:20]} (known: {', '.join(FIELDS)}, {FLAG_KEY})")
            if raw.upper() in _NONE:
                continue
            try:
                value = spec.kind(raw)
            except ValueError:
                raise ValueError(f"field {key} has an unreadable value '{raw[:20]}'") from None
            if not spec.low <= value <= spec.high:
                raise ValueError(
                    f"field {key}={raw} is outside {spec.low:g}..{spec.high:g} {spec.unit}"
                )
            values[spec.attribute] = value
        if not seen:
            raise ValueError("no fields")
        return Reading(flags=frozenset(flags), **values)  # type: ignore[arg-type]


def _parse_flags(raw: str) -> set[DeviceFlag]:
    flags = set()
    for name in filter(None, raw.lower().split("|")):
        try:
            flags.add(DeviceFlag(name))
        except ValueError:
            known = "|".join(f.value for f in DeviceFlag)
            raise ValueError(f"field FLAGS has an unknown flag '{name[:20]}' (known: {known})") from None
    return flags


class TextLineEncoder:
    """Writes only the fields a Reading carries, in the documented order."""

    def encode(self, reading: Reading) -> bytes:
        parts = []
        for spec in FIELDS.values():
            value = getattr(reading, spec.attribute)
            if value is not None:
                parts.append(f"{spec.key}={value:g}" if spec.kind is float else f"{spec.key}={value}")
        if reading.flags:
            parts.append(f"{FLAG_KEY}={'|'.join(sorted(f.value for f in reading.flags))}")
        return (" ".join(parts) or "HR=-").encode("ascii") + b"\n"
