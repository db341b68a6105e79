"""Wearable readings and the CSV import with a column mapping the user confirms.

Exports from watches and rings name their columns every way there is; ``guess_mapping``
proposes a mapping from header names, the user corrects it in a preview, and
``parse_rows`` applies it. A file with any bad line imports nothing: each error names its line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from pydantic import BaseModel, ValidationError, model_validator

from hms_desktop.domain.clinical_ranges import hard_limit_errors
from hms_desktop.domain.readings import Reading

VALUE_FIELDS: tuple[str, ...] = ("heart_rate", "spo2", "steps", "glucose_mmol_l", "temperature_c")


class WearableReading(BaseModel):
    """One reading from a wearable; the day-file row (no id: the files are append-only)."""

    at: datetime
    patient_id: str
    device_id: str = ""
    heart_rate: int | None = None
    spo2: int | None = None
    steps: int | None = None
    glucose_mmol_l: float | None = None
    temperature_c: float | None = None

    @model_validator(mode="after")
    def _plausible(self) -> WearableReading:
        if not self.patient_id.strip():
            raise ValueError("patient is required")
        if all(getattr(self, f) is None for f in VALUE_FIELDS):
            raise ValueError("no value in the reading")
        if self.steps is not None and self.steps < 0:
            raise ValueError(f"steps {self.steps} cannot be negative")
        errors = hard_limit_errors({"pulse": self.heart_rate, "spo2": self.spo2,
                                    "glucose_mmol_l": self.glucose_mmol_l,
                                    "temperature": self.temperature_c})
        if errors:
            raise ValueError("; ".join(errors))
        return self


def from_device(reading: Reading, *, patient_id: str, device_id: str,
                at: datetime) -> WearableReading | None:
    """A live device frame as a wearable reading, or None when it carries no value.

    Wearables report ``heart_rate``; oximeters ``pulse_rate``: either is the heart rate.
    Values the device marked invalid are already None in ``Reading``. A frame with an
    impossible value raises ``ValidationError`` rather than being stored.
    """
    values = {"heart_rate": reading.heart_rate if reading.heart_rate is not None
              else reading.pulse_rate,
              "spo2": reading.spo2, "steps": reading.steps,
              "glucose_mmol_l": reading.glucose_mmol_l, "temperature_c": reading.temperature_c}
    if all(v is None for v in values.values()):
        return None
    return WearableReading(at=at, patient_id=patient_id, device_id=device_id, **values)


# Target field -> header names seen in exports (lower-case, spaces/underscores removed).
IMPORT_FIELDS: tuple[str, ...] = ("at", "device_id") + VALUE_FIELDS
_ALIASES: dict[str, tuple[str, ...]] = {
    "at": ("at", "timestamp", "time", "datetime", "date", "recordedat", "startdate"),
    "device_id": ("deviceid", "device", "source", "sourcename"),
    "heart_rate": ("heartrate", "hr", "bpm", "pulse", "heartratebpm"),
    "spo2": ("spo2", "oxygensaturation", "o2sat", "spo2%", "bloodoxygen"),
    "steps": ("steps", "stepcount", "step"),
    "glucose_mmol_l": ("glucose", "glucosemmol", "glucosemmoll", "bloodglucose", "bg"),
    "temperature_c": ("temperature", "temp", "temperaturec", "skintemperature", "bodytemp"),
}


def _norm(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch not in " _-/()")


def _matches(header: str, alias: str, prefix: bool) -> bool:
    return header.startswith(alias) and len(alias) >= 4 if prefix else header == alias


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """For each import field, the index of the column that looks like it (or None).

    Exact names win; then a header that starts with a known name ("Pulse (bpm)" is pulse).
    A column is given to one field only.
    """
    normed = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = dict.fromkeys(IMPORT_FIELDS)
    used: set[int] = set()
    for prefix in (False, True):
        for field in IMPORT_FIELDS:
            if mapping[field] is not None:
                continue
            for i, h in enumerate(normed):
                if i not in used and any(_matches(h, a, prefix) for a in _ALIASES[field]):
                    mapping[field] = i
                    used.add(i)
                    break
    return mapping


@dataclass(frozen=True, slots=True)
class ImportResult:
    readings: list[WearableReading]
    errors: list[str]  # "line 7: heart rate 400 /min is impossible ..."


def _parse_time(text: str, local: tzinfo) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=local)


def parse_rows(rows: Sequence[Sequence[str]], mapping: Mapping[str, int | None], *,
               patient_id: str, default_device: str = "", first_line: int = 2,
               local: tzinfo = UTC) -> ImportResult:
    """Apply a mapping to data rows (no header). ``first_line`` numbers the first row as the
    user sees it in the file (2 = just below the header). Times without a zone are taken in
    ``local``, the clinic's zone."""
    if mapping.get("at") is None:
        return ImportResult([], ["the time column is not mapped"])
    if all(mapping.get(f) is None for f in VALUE_FIELDS):
        return ImportResult([], ["no value column is mapped"])
    readings: list[WearableReading] = []
    errors: list[str] = []
    for offset, row in enumerate(rows):
        line = first_line + offset
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of exports
        try:
            values: dict[str, object] = {"patient_id": patient_id, "device_id": default_device}
            for field, col in mapping.items():
                if col is None:
                    continue
                if col >= len(row):
                    raise ValueError(f"no column {col + 1} ({len(row)} columns)")
                cell = row[col].strip()
                if field == "at":
                    values["at"] = _parse_time(cell, local)
                elif field == "device_id":
                    values["device_id"] = cell or default_device
                elif cell:
                    values[field] = cell
            readings.append(WearableReading.model_validate(values))
        except ValidationError as exc:
            details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}"
                                for e in exc.errors())
            errors.append(f"line {line}: {details}")
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
    return ImportResult(readings, errors)
