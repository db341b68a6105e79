"""Where monitoring lives on disk: beds, alarm limits, sessions tables and three day logs.

- ``beds.csv``, ``alarm_limits.csv`` (id = patient id or DEFAULT), ``monitoring_sessions.csv``
- ``vitals/YYYY-MM-DD.csv`` numerics 1/s, ``alarms/...`` alarm transitions,
  ``pleth/...`` waveform snapshots around alarms (one row per alarm, samples as JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.domain.monitoring import (
    AlarmEventRow,
    Bed,
    MonitoringSession,
    PlethSnapshot,
    VitalsRow,
)
from hms_desktop.storage import DayLog, Store, Table, TableSpec

BEDS = TableSpec(name="beds", model=Bed, id_prefix=None, schema_version=1)


def _limits_v1_to_v2(row: dict[str, str]) -> dict[str, str]:
    """Version 2 added critical limits and SpO2 high: old rows get the default critical limits
    where they lie beyond the row's alarm limits (else off), and no SpO2-high limit."""
    out = dict(row)
    for field, limit, default, below in (("spo2_critical", "spo2_low", 85, True),
                                         ("pr_critical_low", "pr_low", 40, True),
                                         ("pr_critical_high", "pr_high", 150, False)):
        try:
            beyond = default < int(row.get(limit, "")) if below else default > int(row.get(limit, ""))
        except ValueError:
            beyond = False
        out[field] = str(default) if beyond else ""
    out["spo2_high"] = ""
    return out


ALARM_LIMITS = TableSpec(name="alarm_limits", model=AlarmLimits, id_prefix=None, schema_version=2,
                         migrations={1: _limits_v1_to_v2})
SESSIONS = TableSpec(name="monitoring_sessions", model=MonitoringSession, id_prefix="MON", schema_version=1)
#: Day-file series, declared so start-up checks and ``check`` validate them (storage/registry.py).
DAY_LOGS: dict[str, type[BaseModel]] = {"vitals": VitalsRow, "alarms": AlarmEventRow, "pleth": PlethSnapshot}


@dataclass
class MonitoringStore:
    """Every monitoring table and day log of one data folder, opened once."""

    beds: Table[Any]
    limits: Table[Any]
    sessions: Table[Any]
    vitals: DayLog[VitalsRow]
    alarms: DayLog[AlarmEventRow]
    pleth: DayLog[PlethSnapshot]

    @classmethod
    def open(cls, store: Store) -> MonitoringStore:
        return cls(beds=store.table(BEDS), limits=store.table(ALARM_LIMITS),
                   sessions=store.table(SESSIONS), vitals=store.day_log("vitals", VitalsRow),
                   alarms=store.day_log("alarms", AlarmEventRow),
                   pleth=store.day_log("pleth", PlethSnapshot))

    def vitals_series(self, patient_id: str, start: datetime, end: datetime) -> tuple[list[float], list[float], list[float]]:
        """(epoch seconds, SpO2, PR) for a trend chart; missing values are NaN (gaps, not zeros)."""
        frame = self.vitals.read_frame(start, end, where={"patient_id": patient_id})
        if frame.empty:
            return [], [], []
        frame = frame.sort_values("at_utc")
        import pandas as pd

        # Not astype(int64): the datetime unit (ns, us, ms) depends on how pandas inferred it.
        t = (frame["at_utc"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().tolist()
        spo2 = pd.to_numeric(frame["spo2"], errors="coerce").astype(float).tolist()
        pr = pd.to_numeric(frame["pulse_rate"], errors="coerce").astype(float).tolist()
        return t, spo2, pr
