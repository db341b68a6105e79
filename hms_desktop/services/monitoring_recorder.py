"""Recording for live monitoring: numerics once a second, alarm events, pleth around alarms.

The GUI thread hands in reading batches and alarm transitions as they arrive (cheap,
in memory); ``flush(now)`` (once a second) turns what is complete into rows and submits
ONE write to the background writer, so the disk is touched once a second at most and
never from the GUI thread. Qt-free: ``submit`` is ``writer.submit`` or ``ctx.run``.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from hms_desktop.domain.alarms import AlarmTransition
from hms_desktop.domain.monitoring import AlarmEventRow, MonitoringSession, PlethSnapshot, VitalsRow
from hms_desktop.domain.readings import Reading
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.services.wearables import WearableService

log = logging.getLogger(__name__)

SNAPSHOT_BEFORE_S = 30.0
SNAPSHOT_AFTER_S = 30.0
#: What a failed write keeps for the next try (about 20 minutes of 16 beds); older rows are
#: dropped with a warning rather than letting memory grow while the disk is full.
MAX_RETRY_ROWS = 20_000
MAX_RETRY_SNAPSHOTS = 64
Submit = Callable[..., Any]


class RecordingError(Exception):
    """A bed's recording lost something (a value no row can hold); the bed keeps monitoring."""

    def __init__(self, bed_id: str, message: str) -> None:
        super().__init__(message)
        self.bed_id = bed_id


@dataclass
class WriteJob:
    """One flush: what goes to the writer together (and comes back to retry if it fails)."""

    rows: list[VitalsRow]
    events: list[AlarmEventRow]
    snaps: list[PlethSnapshot]
    wearable_rows: list[WearableReading]

    @property
    def bed_ids(self) -> list[str]:
        return sorted({r.bed_id for r in self.rows} | {e.bed_id for e in self.events if e.bed_id}
                      | {s.bed_id for s in self.snaps})


WriteFailed = Callable[[BaseException, WriteJob], None]


def to_datetime(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


@dataclass
class _Second:
    """Accumulates one wall-clock second of readings: the last valid value of each numeric."""

    second: int
    spo2: int | None = None
    pulse_rate: int | None = None
    perfusion_index: float | None = None
    signal_strength: int | None = None
    flags: set[str] = field(default_factory=set)
    # Wearable readers (text line protocol, BLE heart rate / thermometer) also report these;
    # a second that carried any of them becomes a wearable reading in the patient's record.
    heart_rate: int | None = None
    steps: int | None = None
    glucose_mmol_l: float | None = None
    temperature_c: float | None = None

    @property
    def from_wearable(self) -> bool:
        return any(v is not None for v in (self.heart_rate, self.steps, self.glucose_mmol_l, self.temperature_c))

    def add(self, r: Reading) -> None:
        self.spo2 = r.spo2 if r.spo2 is not None else self.spo2
        rate = r.pulse_rate if r.pulse_rate is not None else r.heart_rate  # oximeter or HR wearable
        self.pulse_rate = rate if rate is not None else self.pulse_rate
        self.perfusion_index = r.perfusion_index if r.perfusion_index is not None else self.perfusion_index
        self.signal_strength = r.signal_strength if r.signal_strength is not None else self.signal_strength
        self.flags.update(f.value for f in r.flags)
        self.heart_rate = r.heart_rate if r.heart_rate is not None else self.heart_rate
        self.steps = r.steps if r.steps is not None else self.steps
        self.glucose_mmol_l = r.glucose_mmol_l if r.glucose_mmol_l is not None else self.glucose_mmol_l
        self.temperature_c = r.temperature_c if r.temperature_c is not None else self.temperature_c


@dataclass
class BedRecorder:
    """The recording state of one bed's live session."""

    session: MonitoringSession
    current: _Second | None = None
    done: list[VitalsRow] = field(default_factory=list)
    wearable_done: list[WearableReading] = field(default_factory=list)
    pleth: PlethHistory = field(default_factory=lambda: PlethHistory())
    pending_snapshots: dict[str, float] = field(default_factory=dict)  # alarm id -> alarm start
    rejected: list[str] = field(default_factory=list)  # seconds no row could hold, not yet reported

    def add(self, t: float, readings: Sequence[Reading]) -> None:
        second = math.floor(t)
        if self.current is not None and self.current.second != second:
            self._close()
        if self.current is None:
            self.current = _Second(second)
        for r in readings:
            self.current.add(r)
            if r.pleth:
                self.pleth.extend(t, r.pleth)

    def _close(self) -> None:
        """Turn the current second into rows. A value no row can hold (SpO2 113 from a bit
        flip) loses that second only, said in ``rejected``: the next second records again."""
        c = self.current
        assert c is not None
        self.current = None
        s = self.session
        try:
            self.done.append(VitalsRow(at=to_datetime(c.second), patient_id=s.patient_id, bed_id=s.bed_id,
                                       session_id=s.id, spo2=c.spo2, pulse_rate=c.pulse_rate,
                                       perfusion_index=c.perfusion_index, signal_strength=c.signal_strength,
                                       flags=sorted(c.flags)))
        except ValidationError as error:
            fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"]) or "a value"
            self.rejected.append(f"a second of vitals not recorded ({fields} impossible)")
            log.warning("vitals second on %s not recorded: %s", s.bed_id, error)
        if c.from_wearable:
            try:
                self.wearable_done.append(WearableReading(
                    at=to_datetime(c.second), patient_id=s.patient_id, device_id=s.port,
                    heart_rate=c.heart_rate if c.heart_rate is not None else c.pulse_rate, spo2=c.spo2,
                    steps=c.steps, glucose_mmol_l=c.glucose_mmol_l, temperature_c=c.temperature_c))
            except ValidationError as error:  # an impossible value from the device: say so, keep going
                log.warning("wearable reading on %s not recorded: %s", s.bed_id, error)

    def take_rows(self, now: float, *, final: bool = False) -> list[VitalsRow]:
        if self.current is not None and (final or math.floor(now) > self.current.second):
            self._close()
        rows, self.done = self.done, []
        return rows

    def take_wearables(self) -> list[WearableReading]:
        """Wearable readings of the seconds closed so far (call after ``take_rows``)."""
        readings, self.wearable_done = self.wearable_done, []
        return readings

    def take_snapshots(self, now: float, *, final: bool = False) -> list[PlethSnapshot]:
        out = []
        for alarm_id, start in list(self.pending_snapshots.items()):
            if final or now >= start + SNAPSHOT_AFTER_S:
                del self.pending_snapshots[alarm_id]
                snap = self.snapshot(alarm_id, start)
                if snap is not None:
                    out.append(snap)
        return out

    def snapshot(self, alarm_id: str, start: float) -> PlethSnapshot | None:
        """Samples that arrived within 30 s either side of the alarm start."""
        found = self.pleth.window(start - SNAPSHOT_BEFORE_S, start + SNAPSHOT_AFTER_S)
        if found is None:
            return None
        first_at, rate, samples = found
        return PlethSnapshot(at=to_datetime(first_at), alarm_id=alarm_id, patient_id=self.session.patient_id,
                             bed_id=self.session.bed_id, rate_hz=rate, samples=samples)


class PlethHistory:
    """The last ~70 s of one bed's pleth with arrival times, in preallocated rings.

    Fixed memory from the start (a growing deque of tuples cost ~6 MB for 16 beds), so a
    station running for days does not grow.
    """

    def __init__(self, capacity: int = 8192) -> None:  # 70 s at up to 115 Hz
        self.capacity = capacity
        self.values = array("d", bytes(8 * capacity))
        self.times = array("d", bytes(8 * capacity))
        self.count = 0

    def extend(self, t: float, samples: Sequence[float]) -> None:
        for v in samples:
            i = self.count % self.capacity
            self.values[i] = v
            self.times[i] = t
            self.count += 1

    def window(self, lo: float, hi: float) -> tuple[float, float, list[float]] | None:
        """(time of the first sample, sample rate, samples) of arrivals in [lo, hi]."""
        n = min(self.count, self.capacity)
        start = self.count - n
        picked = [(self.times[k % self.capacity], self.values[k % self.capacity])
                  for k in range(start, self.count) if lo <= self.times[k % self.capacity] <= hi]
        if not picked:
            return None
        first_t, last_t = picked[0][0], picked[-1][0]
        in_first = sum(1 for t, _ in picked if t == first_t)
        span = last_t - first_t
        # Samples arrive in batches stamped with the batch time: rate from the batches after
        # the first one over the time they took.
        rate = (len(picked) - in_first) / span if span > 0 else float(len(picked))
        rate = max(rate, 1e-3)
        return first_t - in_first / rate, rate, [v for _, v in picked]


class MonitoringRecorder:
    """All beds' recording; one background write per ``flush``."""

    def __init__(self, service: MonitoringService, submit: Submit,
                 wearables: WearableService | None = None, *, on_write_failed: WriteFailed | None = None) -> None:
        """``submit`` is ``writer.submit`` or ``ctx.run``; with ``on_write_failed`` it must take
        ``on_error``/``what`` like ``ctx.run``, and a failed job is handed back to retry."""
        self.service = service
        self.submit = submit
        self.wearables = wearables  # the patient's wearable record, fed live (issue: wearable data)
        self.on_write_failed = on_write_failed
        self._wearable_rows: list[WearableReading] = []
        self._beds: dict[str, BedRecorder] = {}
        self._events: list[AlarmEventRow] = []
        self._retry = WriteJob([], [], [], [])
        self.dropped_rows = 0  # given up after MAX_RETRY_ROWS while writes kept failing

    def attach(self, session: MonitoringSession) -> None:
        self._beds[session.bed_id] = BedRecorder(session)

    def detach(self, bed_id: str, now: float) -> None:
        """Stop recording a bed: what it still holds is written first."""
        bed = self._beds.get(bed_id)
        if bed is None:
            return
        rows = bed.take_rows(now, final=True)
        self._wearable_rows += bed.take_wearables()
        self._submit(rows, bed.take_snapshots(now, final=True))
        del self._beds[bed_id]

    def add_readings(self, bed_id: str, t: float, readings: Sequence[Reading]) -> None:
        """Raises ``RecordingError`` (after keeping everything else) when a second was lost."""
        bed = self._beds.get(bed_id)
        if bed is not None:
            bed.add(t, readings)
            self._raise_rejected(bed)

    @staticmethod
    def _raise_rejected(bed: BedRecorder) -> None:
        if bed.rejected:
            problems, bed.rejected = bed.rejected, []
            raise RecordingError(bed.session.bed_id, problems[-1])

    def requeue(self, job: WriteJob) -> None:
        """A write failed: its rows go out again with the next flush (oldest dropped past the cap)."""
        retry = self._retry
        retry.rows[:0] = job.rows
        retry.events[:0] = job.events
        retry.snaps[:0] = job.snaps
        retry.wearable_rows[:0] = job.wearable_rows
        excess = len(retry.rows) - MAX_RETRY_ROWS
        if excess > 0:
            del retry.rows[:excess]
            self.dropped_rows += excess
            log.warning("writes keep failing: %d seconds of vitals dropped", excess)
        del retry.snaps[:max(0, len(retry.snaps) - MAX_RETRY_SNAPSHOTS)]

    def add_alarm_transitions(self, bed_id: str, transitions: Sequence[AlarmTransition]) -> None:
        bed = self._beds.get(bed_id)
        session = bed.session if bed else None
        for tr in transitions:
            a = tr.alarm
            self._events.append(AlarmEventRow(
                at=to_datetime(tr.at), alarm_id=a.alarm_id, event=tr.event.value, kind=a.kind.value,
                priority=a.priority.value, patient_id=session.patient_id if session else "",
                bed_id=bed_id, session_id=session.id if session else "",
                started_at=to_datetime(a.started_at),
                ended_at=to_datetime(a.ended_at) if a.ended_at is not None else None, peak=a.peak,
                acknowledged_by=a.acknowledged_by,
                acknowledged_at=to_datetime(a.acknowledged_at) if a.acknowledged_at is not None else None,
                end_reason=a.end_reason))
            if bed is not None and tr.event.value == "started" and a.kind.physiological:
                bed.pending_snapshots[a.alarm_id] = a.started_at

    def flush(self, now: float) -> None:
        """Submit what is complete; raises ``RecordingError`` for a bed that lost a second
        (after submitting everything else)."""
        rows: list[VitalsRow] = []
        snaps: list[PlethSnapshot] = []
        for bed in self._beds.values():
            rows += bed.take_rows(now)
            self._wearable_rows += bed.take_wearables()
            snaps += bed.take_snapshots(now)
        self._submit(rows, snaps)
        for bed in self._beds.values():
            self._raise_rejected(bed)

    def close(self, now: float) -> None:
        for bed_id in list(self._beds):
            self.detach(bed_id, now)
        self._submit([], [])

    def _submit(self, rows: list[VitalsRow], snaps: list[PlethSnapshot]) -> None:
        events, self._events = self._events, []
        wearable_rows: list[WearableReading] = []
        if self.wearables is not None:
            wearable_rows, self._wearable_rows = self._wearable_rows, []
        else:
            self._wearable_rows = []
        retry, self._retry = self._retry, WriteJob([], [], [], [])
        job = WriteJob(retry.rows + rows, retry.events + events, retry.snaps + snaps,
                       retry.wearable_rows + wearable_rows)
        if not (job.rows or job.snaps or job.events or job.wearable_rows):
            return
        args = (_write, self.service, job.rows, job.events, job.snaps, self.wearables, job.wearable_rows)
        failed = self.on_write_failed
        if failed is None:
            self.submit(*args)
            return

        def on_error(exc: BaseException) -> bool:
            failed(exc, job)
            return True  # shown as a technical alarm, not a message box every second

        self.submit(*args, on_error=on_error, what="monitoring record (vitals and alarms)")


def _write(service: MonitoringService, rows: list[VitalsRow], events: list[AlarmEventRow],
           snaps: list[PlethSnapshot], wearables: WearableService | None = None,
           wearable_rows: Sequence[WearableReading] = ()) -> None:
    """Runs on the background writer: one append + fsync per day log touched."""
    if wearables is not None and wearable_rows:
        wearables.append(list(wearable_rows))
    service.record_vitals(rows)
    service.record_alarm_events(events)
    for snap in snaps:
        service.save_pleth_snapshot(snap)
