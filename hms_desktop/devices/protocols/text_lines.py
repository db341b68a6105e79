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

from hms_desktop.devices.protocols import limits
from hms_desktop.devices.protocols.base import LineParser
from hms_desktop.devices.protocols.limits import Limit
from hms_desktop.domain.readings import DeviceFlag, Reading


@dataclass(frozen=True)
class TextField:
    key: str
    attribute: str
    kind: Callable[[str], float | int]
    limit: Limit


FIELDS = {
    f.key: f
    for f in (
        TextField("HR", "heart_rate", int, limits.HEART_RATE),
        TextField("PR", "pulse_rate", int, limits.PULSE),
        TextField("SPO2", "spo2", int, limits.SPO2),
        TextField("PI", "perfusion_index", float, limits.PERFUSION_INDEX),
        TextField("STEPS", "steps", int, limits.STEPS),
        TextField("GLU", "glucose_mmol_l", float, limits.GLUCOSE_MMOL_L),
        TextField("TEMP", "temperature_c", float, limits.TEMPERATURE_C),
    )
}
FLAG_KEY = "FLAGS"  # optional: FLAGS=finger_out|low_battery
_SEPARATORS = re.compile(r"[\s,;]+")
_NONE = {"-", "--", "NA", "N/A"}
_TOKEN_CACHE_LIMIT = 4096

# A parsed token: (KEY, Reading attribute or FLAG_KEY, value / flags / None for "no value").
Token = tuple[str, str, object]


class TextLineParser(LineParser):
    def __init__(self) -> None:
        super().__init__()
        # Tokens repeat far more than whole lines do (HR=72 recurs, STEPS=1201 does not).
        self._tokens: dict[str, Token | ValueError] = {}

    def parse_line(self, line: str) -> Reading:
        values: dict[str, object] = {}
        seen: set[str] = set()
        flags: frozenset[DeviceFlag] = frozenset()
        tokens = self._tokens
        for token in filter(None, _SEPARATORS.split(line)):
            parsed = tokens.get(token)
            if parsed is None:
                if len(tokens) >= _TOKEN_CACHE_LIMIT:
                    tokens.clear()
                parsed = tokens[token] = _parse_token(token)
            if isinstance(parsed, ValueError):
                raise parsed
            key, attribute, value = parsed
            if key in seen:
                raise ValueError(f"field {key} appears twice")
            seen.add(key)
            if attribute == FLAG_KEY:
                flags = value  # type: ignore[assignment]
            elif value is not None:
                values[attribute] = value
        if not seen:
            raise ValueError("no fields")
        return Reading(flags=flags, **values)  # type: ignore[arg-type]


def _parse_token(token: str) -> Token | ValueError:
    """One KEY=VALUE token, or the error that rejects any line containing it."""
    key, sep, raw = token.partition("=")
    key = key.upper()
    if not sep or not key:
        return ValueError(f"'{token[:20]}' is not KEY=VALUE")
    if key == FLAG_KEY:
        try:
            return key, FLAG_KEY, frozenset(_parse_flags(raw))
        except ValueError as exc:
            return exc
    spec = FIELDS.get(key)
    if spec is None:
        return ValueError(f"unknown field {key[:20]} (known: {', '.join(FIELDS)}, {FLAG_KEY})")
    if raw.upper() in _NONE:
        return key, spec.attribute, None
    try:
        value = spec.kind(raw)
    except ValueError:
        return ValueError(f"field {key} has an unreadable value '{raw[:20]}'")
    limit = spec.limit
    if not limit.low <= value <= limit.high:  # False for nan
        return ValueError(f"field {key}={raw[:20]} is outside {limit.low:g}..{limit.high:g} {limit.unit}")
    return key, spec.attribute, value


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
