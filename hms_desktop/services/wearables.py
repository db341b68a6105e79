"""Wearable readings: append-only day files, per-patient reads, CSV import with a mapping."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.timeline import TimelineEntry, day_start
from hms_desktop.domain.wearables import VALUE_FIELDS, ImportResult, WearableReading, parse_rows
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.storage import Store
from hms_desktop.storage.care import WEARABLES_LOG
from hms_desktop.storage.daylog_index import DayIndex


def read_csv_preview(path: Path, limit: int = 20) -> tuple[list[str], list[list[str]]]:
    """Header and the first ``limit`` rows, for the column-mapping preview."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = [row for _, row in zip(range(limit), reader, strict=False)]
    if not header:
        raise ValueError(f"{path.name}: the file is empty")
    return header, rows


class WearableService:
    """Reading needs *view record*, importing a file *record observations*. ``append`` (the
    live device feed and demo data) is not guarded: recording never is."""

    access: AccessControl = UNRESTRICTED  # the session's signed-in user

    def __init__(self, store: Store, bus: EventBus) -> None:
        self._bus = bus
        self._log = store.day_log(WEARABLES_LOG, WearableReading)
        self._index = DayIndex.for_model(WearableReading, read_only=store.read_only)

    def append(self, readings: Sequence[WearableReading]) -> int:
        """One append + fsync per batch (the device feed calls this about once a second)."""
        if not readings:
            return 0
        self._log.append(list(readings))
        patients = tuple(sorted({r.patient_id for r in readings}))
        self._bus.publish(Change(table=WEARABLES_LOG, ids=patients, op="insert"))
        return len(readings)

    @requires(Permission.VIEW_RECORD, "read wearable readings")
    def readings_for(self, patient_id: str, start: date, end: date) -> list[WearableReading]:
        """The patient's readings between two days (inclusive), oldest first."""
        frame = self._log.read_frame(datetime.combine(start, time.min, UTC),
                                     datetime.combine(end + timedelta(days=1), time.min, UTC),
                                     where={"patient_id": patient_id})
        if frame.empty:
            return []
        rows = frame.to_dict("records")
        readings = [WearableReading.model_validate(
            {k: v for k, v in row.items() if k in _FIELDS and (v != "" or k not in VALUE_FIELDS)}) for row in rows]
        readings.sort(key=lambda r: r.at)
        return readings

    @requires(Permission.VIEW_RECORD, "read wearable readings")
    def series_for(self, patient_id: str, start: date, end: date,
                   fields: Sequence[str] = VALUE_FIELDS) -> dict[str, Any]:
        """Chart data without a model per row: ``{"t": epoch seconds, "device_id": [...],
        field: float array}``.

        A year of 5-minute readings is ~100,000 rows; building pydantic models for them
        would cost more than reading the files. Rows were validated when appended, and
        the day log quarantines any line that fails its schema.
        """
        import numpy as np

        lo, hi = datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)
        series = self._indexed_series(patient_id, start, end, fields)
        if series is None:  # a file the index cannot read: the ordinary way, which quarantines
            series = self._ordinary_series(patient_id, lo, hi, fields)
        t = series["t"]
        if len(t) and bool((t >= lo.timestamp()).all() and (t < hi.timestamp()).all() and (np.diff(t) >= 0).all()):
            return series  # in range and in order already: the usual case, a copy saved
        keep = np.flatnonzero((t >= lo.timestamp()) & (t < hi.timestamp()))
        keep = keep[np.argsort(t[keep], kind="stable")]
        out: dict[str, Any] = {"t": t[keep]}
        out["device_id"] = np.array(series["device_id"], dtype=object)[keep].tolist() if len(keep) else []
        for name in fields:
            out[name] = series[name][keep]
        return out

    def _indexed_series(self, patient_id: str, start: date, end: date,
                        fields: Sequence[str]) -> dict[str, Any] | None:
        """The patient's lines only, by the day files' per-patient index, parsed column-wise
        in numpy; None if any file or line needs the ordinary read. A year at 5-minute
        readings is ~100,000 lines in files shared with other patients."""
        if self._index is None:
            return None
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        paths = list(map(self._log.path_for, days))  # a day without a file has no readings
        return self._index.series(paths, patient_id, numbers=fields, text=("device_id",))

    def _ordinary_series(self, patient_id: str, lo: datetime, hi: datetime,
                         fields: Sequence[str]) -> dict[str, Any]:
        import numpy as np
        import pandas as pd

        frame = self._log.read_frame(lo, hi, where={"patient_id": patient_id})
        if frame.empty:  # no day files at all gives an untyped frame: answer plainly
            return {"t": np.array([], dtype=np.float64), "device_id": [],
                    **{name: np.array([], dtype=np.float64) for name in fields}}
        epoch = pd.Timestamp(0, tz="UTC")  # the parsed column's unit (ms, us, ns) varies
        return {"t": (frame["at_utc"] - epoch).dt.total_seconds().to_numpy(dtype=np.float64),
                "device_id": frame["device_id"].tolist(),
                **{name: _floats(frame[name].to_numpy(dtype=object)) for name in fields}}

    @requires(Permission.RECORD_OBSERVATIONS, "import wearable readings")
    def import_csv(self, path: Path, mapping: Mapping[str, int | None], *, patient_id: str,
                   default_device: str = "", local: tzinfo = UTC) -> ImportResult:
        """All or nothing: a file with any bad line imports nothing and lists every error."""
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            rows = list(reader)
        result = parse_rows(rows, mapping, patient_id=patient_id, default_device=default_device,
                            local=local)
        if result.errors:
            return ImportResult([], result.errors)
        if not result.readings:
            return ImportResult([], [f"{path.name}: no readings in the file"])
        self.append(result.readings)
        return result


_FIELDS = frozenset(("at", "patient_id", "device_id") + VALUE_FIELDS)


def _floats(cells: Any) -> Any:
    """Text cells as float64, "" as NaN (the rows were validated when appended); faster than
    ``pd.to_numeric(errors="coerce")``, which matters at 100,000 readings a year."""
    import numpy as np

    out = np.full(len(cells), np.nan)
    given = cells != ""
    out[given] = cells[given].astype(np.float64)
    return out


TIMELINE_DAYS = 30  # the timeline is collected on demand; older days stay on the Wearables page


def wearables_timeline(services: Any, patient_id: str) -> list[TimelineEntry]:
    """One summary entry per day with wearable readings, for the last ``TIMELINE_DAYS`` days."""
    import numpy as np

    end = datetime.now(UTC).date()
    s = services.wearables.series_for(patient_id, end - timedelta(days=TIMELINE_DAYS - 1), end)
    days: dict[date, list[int]] = {}
    for i, t in enumerate(s["t"]):
        days.setdefault(datetime.fromtimestamp(float(t), UTC).date(), []).append(i)
    out = []
    labels = (("heart_rate", "HR"), ("spo2", "SpO2"), ("glucose_mmol_l", "glucose"),
              ("temperature_c", "temp"))
    for day, rows in days.items():
        parts = []
        for field, label in labels:
            values = s[field][rows]
            values = values[~np.isnan(values)]
            if values.size:
                parts.append(f"{label} {values.min():g}–{values.max():g}")
        steps = s["steps"][rows]
        if (~np.isnan(steps)).any():
            parts.append(f"steps {int(np.nansum(steps)):,}")
        devices = sorted({s["device_id"][i] for i in rows if s["device_id"][i]})
        out.append(TimelineEntry(at=day_start(day), kind="Wearable",
                                 title=f"{len(rows)} wearable readings"
                                       + (f" ({', '.join(devices)})" if devices else ""),
                                 detail=", ".join(parts), table=WEARABLES_LOG,
                                 record_id=f"{patient_id}:{day.isoformat()}", date_only=True))
    return out
