"""Monitoring use cases: beds, per-patient alarm limits, sessions, recording, history, trends.

Synchronous and Qt-free (tested without a QApplication); the UI runs writes on the
background writer. Every write publishes a ``Change`` so views refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hms_desktop.domain.accounts import Permission
from hms_desktop.domain.alarm_limits import DEFAULT_LIMITS_ID, AlarmLimits
from hms_desktop.domain.monitoring import (
    AlarmEventRow,
    Bed,
    MonitoringSession,
    PlethSnapshot,
    SessionStatus,
    VitalsRow,
)
from hms_desktop.services.access_control import UNRESTRICTED, AccessControl, requires
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.storage import Store
from hms_desktop.storage.monitoring import MonitoringStore


def session_not_saved_reason(exc: BaseException) -> str:
    """Why starting a session failed when the cause is the storage, not a rule: a read-only
    folder (a damaged file, a newer version's folder), a full disk, a server gone. "" for a
    refusal (unknown bed, bed already monitored, an invalid field, a permission the signed-in
    user lacks): those are said and nothing starts. Monitoring does not wait for storage, so
    anything that is not a refusal lets the bed be monitored without the session saved."""
    refused = isinstance(exc, ValueError) or (isinstance(exc, PermissionError) and exc.errno is None)
    if refused:
        return ""
    text = str(exc).strip()
    return text or type(exc).__name__


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    """One alarm folded from its day-file events, as the alarm history shows it."""

    alarm_id: str
    kind: str
    priority: str
    patient_id: str
    bed_id: str
    started_at: datetime
    ended_at: datetime | None
    peak: float | None
    acknowledged_by: str
    acknowledged_at: datetime | None
    end_reason: str


#: Who acknowledged at a lock screen nobody is signed in to (docs/security.md).
AT_LOCK_SCREEN = "lock screen"


class MonitoringService:
    """Starting or ending monitoring, pausing a bed, adding beds and changing alarm limits
    need *start or end monitoring, change alarm limits*; reading recorded vitals and alarm
    history needs *view monitored beds*. Recording (vitals, alarm events) is never refused:
    whoever is signed in, or nobody, a monitored bed keeps recording and alarming."""

    access: AccessControl = UNRESTRICTED

    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus
        self.data = MonitoringStore.open(store)

    # ---- beds ---------------------------------------------------------------------------
    def beds(self) -> list[Bed]:
        beds: list[Bed] = self.data.beds.all()
        return sorted(beds, key=lambda b: (b.position, b.id))

    @requires(Permission.CONTROL_MONITORING)
    def add_beds(self, beds: Sequence[Bed]) -> list[Bed]:
        saved: list[Bed] = self.data.beds.insert_many(list(beds))
        self.bus.publish(Change("beds", tuple(b.id for b in saved), "insert"))
        return saved

    # ---- limits -------------------------------------------------------------------------
    def limits_for(self, patient_id: str) -> AlarmLimits:
        """The patient's own limits, else the clinic defaults, else the built-in defaults."""
        for key in (patient_id, DEFAULT_LIMITS_ID):
            found = self.data.limits.get(key) if key else None
            if found is not None:
                return found  # type: ignore[no-any-return]
        return AlarmLimits(id=patient_id or DEFAULT_LIMITS_ID)

    @requires(Permission.CONTROL_MONITORING)
    def set_limits(self, patient_id: str, limits: AlarmLimits) -> AlarmLimits:
        """Save a clinician's limits (history kept by the engine: who changed what, when)."""
        record = limits.model_copy(update={"id": patient_id or DEFAULT_LIMITS_ID})
        AlarmLimits.model_validate(record.model_dump())
        if record.id in self.data.limits:
            saved: AlarmLimits = self.data.limits.update(record.id, record)
        else:
            saved = self.data.limits.insert(record)
        self.bus.publish(Change("alarm_limits", (saved.id,), "update"))
        return saved

    # ---- sessions -----------------------------------------------------------------------
    @requires(Permission.CONTROL_MONITORING)
    def start_session(self, *, bed_id: str, patient_id: str, port: str = "", protocol: str = "",
                      now: datetime | None = None) -> MonitoringSession:
        """Start monitoring a patient on a bed; a bed has at most one live session."""
        if bed_id not in self.data.beds:
            raise ValueError(f"bed: no bed {bed_id!r}")
        live = self.live_session(bed_id)
        if live is not None:
            raise ValueError(f"bed: {bed_id} is already monitoring {live.patient_id} ({live.id}); end it first")
        session: MonitoringSession = self.data.sessions.insert(MonitoringSession(
            bed_id=bed_id, patient_id=patient_id, port=port, protocol=protocol,
            started_at=now or datetime.now(UTC)))
        self.bus.publish(Change("monitoring_sessions", (session.id,), "insert"))
        return session

    @requires(Permission.CONTROL_MONITORING)
    def set_session_status(self, session_id: str, status: SessionStatus, *,
                           now: datetime | None = None) -> MonitoringSession:
        changes: dict[str, Any] = {"status": status}
        if status is SessionStatus.ENDED:
            changes["ended_at"] = now or datetime.now(UTC)
        session: MonitoringSession = self.data.sessions.update(session_id, changes)
        self.bus.publish(Change("monitoring_sessions", (session_id,), "update"))
        return session

    def live_session(self, bed_id: str) -> MonitoringSession | None:
        live = [s for s in self.data.sessions.where("bed_id", bed_id) if s.status is not SessionStatus.ENDED]
        return max(live, key=lambda s: s.started_at) if live else None

    def sessions_for(self, patient_id: str) -> list[MonitoringSession]:
        return sorted(self.data.sessions.where("patient_id", patient_id), key=lambda s: s.started_at)

    # ---- alarms: who may answer them --------------------------------------------------
    def acknowledger(self, *, at_lock_screen: bool = False,
                     permission: Permission = Permission.ACKNOWLEDGE_ALARMS) -> str:
        """The name an acknowledgement (or audio pause) is recorded under: the signed-in user,
        who needs ``permission`` (*acknowledge alarms*, or *pause alarm audio*; ``PermissionError``
        otherwise). At a lock screen
        anyone at the station may answer an alarm (a locked screen must never stop a nurse
        silencing a bed); it is recorded as the lock screen with the locked user's name and
        written to the access log."""
        user = self.access.user
        if at_lock_screen and not user.may(permission):
            who = AT_LOCK_SCREEN if user.username.startswith("(") else f"{AT_LOCK_SCREEN} ({user.username})"
            self.access.record("answered an alarm at the lock screen", detail=who)
            return who
        self.access.require(permission)
        return f"{AT_LOCK_SCREEN} ({user.username})" if at_lock_screen else user.username

    # ---- recording (called on the background writer) -----------------------------------
    def record_vitals(self, rows: Sequence[VitalsRow]) -> None:
        if rows:
            self.data.vitals.append(rows)
            self.bus.publish(Change("vitals", tuple(sorted({r.patient_id for r in rows})), "append"))

    def record_alarm_events(self, rows: Sequence[AlarmEventRow]) -> None:
        if rows:
            self.data.alarms.append(rows)
            self.bus.publish(Change("alarms", tuple(r.alarm_id for r in rows), "append"))

    def save_pleth_snapshot(self, snapshot: PlethSnapshot) -> None:
        self.data.pleth.append([snapshot])
        self.bus.publish(Change("pleth", (snapshot.alarm_id,), "append"))

    # ---- history ------------------------------------------------------------------------
    @requires(Permission.VIEW_BEDS)
    def alarm_history(self, start: datetime, end: datetime, *, patient_id: str | None = None,
                      bed_id: str | None = None) -> list[AlarmRecord]:
        """Alarms that started in [start, end), each folded from its events, newest first."""
        folded: dict[str, AlarmEventRow] = {}
        for row in self.data.alarms.read(start - timedelta(days=1), end + timedelta(days=1)):
            if patient_id and row.patient_id != patient_id or bed_id and row.bed_id != bed_id:
                continue
            prev = folded.get(row.alarm_id)
            merged = row if prev is None else prev.model_copy(update={
                "priority": row.priority,
                "ended_at": row.ended_at or prev.ended_at,
                "peak": row.peak if row.peak is not None else prev.peak,
                "acknowledged_by": row.acknowledged_by or prev.acknowledged_by,
                "acknowledged_at": row.acknowledged_at or prev.acknowledged_at,
                "end_reason": row.end_reason or prev.end_reason})
            folded[row.alarm_id] = merged
        out = [AlarmRecord(r.alarm_id, r.kind, r.priority, r.patient_id, r.bed_id, r.started_at,
                           r.ended_at, r.peak, r.acknowledged_by, r.acknowledged_at, r.end_reason)
               for r in folded.values() if start <= r.started_at < end]
        return sorted(out, key=lambda r: r.started_at, reverse=True)

    @requires(Permission.VIEW_BEDS)
    def pleth_snapshot(self, alarm_id: str, around: datetime) -> PlethSnapshot | None:
        rows = self.data.pleth.read(around - timedelta(minutes=2), around + timedelta(minutes=2))
        return next((r for r in rows if r.alarm_id == alarm_id), None)

    @requires(Permission.VIEW_BEDS)
    def trend(self, patient_id: str, start: datetime, end: datetime) -> tuple[list[float], list[float], list[float]]:
        """(epoch seconds, SpO2, PR) from the day files; NaN where the device had no value."""
        return self.data.vitals_series(patient_id, start, end)
