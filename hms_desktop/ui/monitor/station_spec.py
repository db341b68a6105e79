"""Parsing kiosk options ``--monitor BED=PORT[@PROTOCOL][:PATIENT_ID]`` (pure, no Qt).

A port may itself contain colons (a Bluetooth address ``AA:BB:CC:DD:EE:FF``), so only a
trailing ``:XXX123456``-shaped patient id is split off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hms_desktop.ui.monitor.bed_naming import bed_number, numbered_id

_PATIENT = re.compile(r"[A-Z]{3}\d{6,}")
_BED = re.compile(r"[A-Za-z0-9_-]{1,16}")
DEFAULT_PROTOCOL = "cms50-v7"
#: ``BED01=demo`` on the command line means the simulated "Demo device" (no space to quote).
DEMO_ALIASES = {"demo": "Demo device", "demo-device": "Demo device"}


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    bed_id: str  # as typed, upper-cased: "1", "BED01" and "Bed 1" all name bed BED01 (bed_naming)
    port: str
    protocol: str
    patient_id: str = ""


def parse_monitor_spec(text: str, *, default_protocol: str = DEFAULT_PROTOCOL) -> MonitorSpec:
    """Parse one option; the error names the part that is wrong."""
    bed, sep, rest = text.partition("=")
    if not sep:
        raise ValueError(f"--monitor {text!r}: expected BED=PORT[@PROTOCOL][:PATIENT_ID]")
    bed = bed.strip()
    if not _BED.fullmatch(bed):
        raise ValueError(f"--monitor {text!r}: bed id {bed!r} must be 1-16 letters, digits, - or _")
    patient = ""
    head, colon, tail = rest.rpartition(":")
    if colon and _PATIENT.fullmatch(tail):
        rest, patient = head, tail
    port, at, protocol = rest.partition("@")
    port, protocol = port.strip(), protocol.strip()
    if not port:
        raise ValueError(f"--monitor {text!r}: port is empty")
    if at and not protocol:
        raise ValueError(f"--monitor {text!r}: protocol after '@' is empty")
    port = DEMO_ALIASES.get(port.lower(), port)
    return MonitorSpec(bed.upper(), port, protocol or default_protocol, patient)


def parse_monitor_specs(texts: list[str]) -> list[MonitorSpec]:
    specs = [parse_monitor_spec(t) for t in texts]
    seen: set[str] = set()
    for spec in specs:
        number = bed_number(spec.bed_id)
        key = numbered_id(number) if number is not None else spec.bed_id
        if key in seen:
            raise ValueError(f"--monitor: bed {spec.bed_id} given twice")
        seen.add(key)
    if len(specs) > 16:
        raise ValueError(f"--monitor: at most 16 beds on one station, got {len(specs)}")
    return specs
