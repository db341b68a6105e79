"""The alarm engine: pure, driven by the timestamps the caller passes in (a monotonic clock).

It turns a stream of (time, SpO2, pulse rate, device flags) plus device connection states
into alarm transitions (started, escalated, acknowledged, cleared-but-latched, ended),
after IEC 60601-1-8 and bedside-monitor practice (docs/monitor.md, "Alarm rules"):
- onset delays, and SatSeconds for low SpO2 (with the 3-violations-in-60 s safety net);
- hysteresis on clearing: back inside the limit by a margin for ``clear_after_s``;
- sensor technical conditions (finger out, sensor off, no data, unplugged, no valid
  SpO2/pulse) raise their own alarm ``technical_delay_s`` after the last valid reading; an
  active physiological alarm hands over to them at once, without lowering its priority,
  and valid data returning beyond the limit takes the alarm back at once;
- latching keeps a cleared alarm until acknowledged; an acknowledgement lasts while its
  condition lasts; crossing a critical limit, or a rise in priority, alarms again;
- an unacknowledged medium alarm escalates to high;
- faults of the system itself (sound, recording, the device's data path) alarm with the
  failure named, and clear ``FAULT_CLEAR_S`` after the last failure.
No clock, no Qt, no I/O: tests control time exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from hms_desktop.domain.alarm_limits import (
    FAULTS,
    PHYSIOLOGICAL,
    SENSOR_TECHNICAL,
    AlarmKind,
    AlarmLimits,
    Priority,
)
from hms_desktop.domain.readings import DeviceFlag
from hms_desktop.domain.satseconds import SatSeconds

TECHNICAL_PRIORITY = Priority.MEDIUM
AUDIO_PRIORITY = Priority.LOW
FAULT_PRIORITY = {AlarmKind.AUDIO_UNAVAILABLE: Priority.LOW, AlarmKind.RECORDING_FAILED: Priority.MEDIUM,
                  AlarmKind.DEVICE_FAULT: Priority.MEDIUM}
FAULT_CLEAR_S = 10.0  # a failed part must work this long before its alarm clears
_FLAG_KINDS = {DeviceFlag.FINGER_OUT: AlarmKind.FINGER_OUT, DeviceFlag.SENSOR_OFF: AlarmKind.SENSOR_OFF,
               DeviceFlag.DISCONNECTED: AlarmKind.NO_DATA}
_STATE_KINDS = {"no_data": AlarmKind.NO_DATA, "disconnected": AlarmKind.DEVICE_UNPLUGGED}


class AlarmEvent(StrEnum):
    STARTED = "started"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    LATCHED = "latched"  # condition gone, alarm kept on screen until acknowledged
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm occurrence, as shown in the alarm list and written to the day file."""

    alarm_id: str
    source: str
    kind: AlarmKind
    priority: Priority
    started_at: float
    peak: float | None = None
    ended_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str = ""
    escalated_at: float | None = None
    latched: bool = False
    end_reason: str = ""  # "cleared", "acknowledged", "handed over", "re-alarmed", "stopped"
    critical: bool = False  # beyond the patient's critical limit
    detail: str = ""  # where and what failed, for faults ("on Bed 3 — disk full")

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def text(self) -> str:
        critical = " — critical" if self.critical else ""
        detail = f" {self.detail}" if self.detail else ""  # "on Bed 3 — disk full"
        return f"{self.priority.prefix} {self.kind.label}{critical}{detail}"


@dataclass(frozen=True, slots=True)
class AlarmTransition:
    event: AlarmEvent
    at: float
    alarm: Alarm


@dataclass
class _Onset:
    """Onset and clearing timers of one condition."""

    violating_since: float | None = None
    in_range_since: float | None = None
    worst: float | None = None  # worst value of the current violation, so the peak includes the delay


def _max(a: Priority | None, b: Priority) -> Priority:
    return b if a is None or b.rank > a.rank else a


class AlarmEngine:
    """Alarm state of one monitored bed. Feed samples in time order; collect transitions."""

    def __init__(self, limits: AlarmLimits | None = None, *, source: str = "",
                 no_data_after_s: float = 5.0, id_time: Callable[[float], float] | None = None) -> None:
        self.limits = limits or AlarmLimits()
        self.source = source
        self.no_data_after_s = no_data_after_s
        # Alarm ids carry a wall-clock stamp (unique across restarts) even though the engine
        # runs on a monotonic clock: the caller maps engine time to wall time.
        self._id_time = id_time or (lambda t: t)
        self._last_id = ("", 1)
        self._alarms: dict[AlarmKind, Alarm] = {}
        self._onsets: dict[AlarmKind, _Onset] = {k: _Onset() for k in AlarmKind}
        self._sat = SatSeconds(self.limits.spo2_low, self.limits.satseconds)
        self._tech_present: set[AlarmKind] = set()
        self._device_state = ""
        self._last_sample_t: float | None = None
        self._last_valid_t: float | None = None
        self._ever_valid = {"spo2": False, "pr": False}
        self._handed_over: dict[AlarmKind, Alarm] = {}  # physiological alarms waiting for valid data
        self._handover_priority: Priority | None = None  # carried by the technical alarms
        self._faults: dict[AlarmKind, float] = {}  # fault kind -> time of its last failure
        self._audio_ok = True
        self._now = 0.0

    # ---- inputs -------------------------------------------------------------------------
    def set_limits(self, limits: AlarmLimits) -> None:
        """New limits apply from the next sample; running detectors restart against them."""
        self.limits = limits
        self._sat = SatSeconds(limits.spo2_low, limits.satseconds)
        for kind in PHYSIOLOGICAL:
            self._onsets[kind] = _Onset()

    def begin(self, t: float) -> None:
        """Monitoring (re)starts: "no valid SpO2 / pulse" counts from now, data or not."""
        self._last_valid_t = self._last_sample_t = t
        if self._device_state in ("", "stopped"):
            self._device_state = "connecting"

    def feed(self, t: float, spo2: int | None, pulse_rate: int | None,
             flags: Iterable[DeviceFlag] = (), *, oximetry: bool = True) -> list[AlarmTransition]:
        """One numerics sample at time ``t`` (seconds). ``oximetry`` False: the device sent only
        other measurements (a thermometer, steps): data is arriving, but says nothing of SpO2/PR."""
        out: list[AlarmTransition] = []
        self._now = t
        self._last_sample_t = t
        if not oximetry:
            return out
        present = {_FLAG_KINDS[f] for f in flags if f in _FLAG_KINDS}
        if self._device_state == "disconnected":
            present.add(AlarmKind.DEVICE_UNPLUGGED)  # bytes may still be buffered, the port is gone
        trusted = not present
        spo2_ok = trusted and spo2 is not None
        pr_ok = trusted and pulse_rate is not None
        # Invalid without a flag (Nonin "out of track", Masimo "pulse search", "---"): nothing
        # valid, or a parameter that was valid in this session is gone.
        invalid = trusted and ((not spo2_ok and not pr_ok) or (not spo2_ok and self._ever_valid["spo2"])
                               or (not pr_ok and self._ever_valid["pr"]))
        self._ever_valid["spo2"] |= spo2_ok
        self._ever_valid["pr"] |= pr_ok
        if invalid:
            present.add(AlarmKind.NO_VALID_READING)
        elif trusted:
            self._last_valid_t = t
        self._tech_present = present
        self._physiological(t, spo2 if spo2_ok else None, pulse_rate if pr_ok else None, out)
        self._update_technical(t, out)
        self._escalate(t, out)
        return out

    def set_device_state(self, t: float, state: str) -> list[AlarmTransition]:
        """Reader states: connecting, streaming, no_data, disconnected, stopped."""
        self._device_state = state
        out: list[AlarmTransition] = []
        self._now = t
        if state == "stopped":  # monitoring ended on purpose: nothing to alarm about
            for live in list(self._alarms):
                if live not in FAULTS:
                    self._end(live, t, "stopped", out)
            self._tech_present.clear()
            self._handed_over.clear()
            self._handover_priority = None
            return out
        kind = _STATE_KINDS.get(state)
        self._tech_present = {k for k in self._tech_present if k not in _STATE_KINDS.values()}
        if kind is not None:
            self._tech_present.add(kind)
            self._physiological(t, None, None, out)
        elif state == "streaming":
            self._last_sample_t = t  # streaming again: staleness restarts from now
        self._update_technical(t, out)
        self._escalate(t, out)
        return out

    def set_audio_available(self, t: float, available: bool) -> list[AlarmTransition]:
        """No audio output is itself an alarm: staff must know the monitor cannot beep."""
        self._audio_ok = available
        out: list[AlarmTransition] = []
        kind = AlarmKind.AUDIO_UNAVAILABLE
        if not available and kind not in self._alarms:
            self._start(kind, AUDIO_PRIORITY, t, None, out)
        elif available and kind in self._alarms and kind not in self._faults:
            self._end(kind, t, "cleared", out)
        return out

    def report_fault(self, t: float, kind: AlarmKind, detail: str) -> list[AlarmTransition]:
        """A part of the system failed (sound, recording, the device's data path): alarm,
        naming it. It clears ``FAULT_CLEAR_S`` after the last failure (latched if nobody saw it)."""
        out: list[AlarmTransition] = []
        self._now = t
        self._faults[kind] = t
        alarm = self._alarms.get(kind)
        if alarm is None:
            self._start(kind, FAULT_PRIORITY[kind], t, None, out, detail=detail)
        elif alarm.latched:
            self._alarms[kind] = replace(alarm, latched=False, detail=detail)
        return out

    def tick(self, t: float) -> list[AlarmTransition]:
        """Advance time without a sample: onset delays, staleness, escalation, faults."""
        out: list[AlarmTransition] = []
        self._now = t
        stale = (self._last_sample_t is not None and self._device_state not in ("stopped", "")
                 and t - self._last_sample_t > self.no_data_after_s)
        if stale:
            self._tech_present.add(AlarmKind.NO_DATA)
            self._tech_present.discard(AlarmKind.NO_VALID_READING)
        if stale or self._device_state in _STATE_KINDS:
            self._physiological(t, None, None, out)
        self._update_technical(t, out)
        self._update_faults(t, out)
        self._escalate(t, out)
        return out

    def acknowledge(self, t: float, kind: AlarmKind, by: str) -> list[AlarmTransition]:
        """Silence one alarm while its condition lasts (stops its audio and escalation); a
        latched one ends."""
        out: list[AlarmTransition] = []
        alarm = self._alarms.get(kind)
        if alarm is None or alarm.acknowledged:
            return out
        alarm = replace(alarm, acknowledged_at=t, acknowledged_by=by)
        self._alarms[kind] = alarm
        out.append(AlarmTransition(AlarmEvent.ACKNOWLEDGED, t, alarm))
        if alarm.latched:
            self._end(kind, t, "acknowledged", out)
        return out

    def acknowledge_seen(self, t: float, kind: AlarmKind, alarm_id: str, priority: Priority,
                         by: str) -> tuple[list[AlarmTransition], str]:
        """Acknowledge the alarm someone saw elsewhere (a nurse station), only if it is still
        that alarm as they saw it: the same occurrence (``alarm_id``), at the same priority,
        not yet acknowledged. Returns the transitions and "" when applied, else no transitions
        and why it was refused: never applied to a different alarm."""
        alarm = self._alarms.get(kind)
        if alarm is None:
            return [], f"that {kind.label} alarm has ended"
        if alarm.alarm_id != alarm_id:
            return [], (f"that {kind.label} alarm has ended and a new one started since "
                        "(re-alarmed); look at the bed again")
        if alarm.priority is not priority:
            return [], (f"that {kind.label} alarm has since changed from {priority.value} to "
                        f"{alarm.priority.value} priority; look at the bed again")
        if alarm.acknowledged:
            return [], f"that {kind.label} alarm was already acknowledged by {alarm.acknowledged_by or 'someone'}"
        return self.acknowledge(t, kind, by), ""

    def acknowledge_all(self, t: float, by: str) -> list[AlarmTransition]:
        out: list[AlarmTransition] = []
        for kind in list(self._alarms):
            out += self.acknowledge(t, kind, by)
        return out

    # ---- state --------------------------------------------------------------------------
    @property
    def alarms(self) -> list[Alarm]:
        """Alarms on screen, most urgent first (a snapshot: safe to read from another thread)."""
        return sorted(list(self._alarms.values()), key=lambda a: (-a.priority.rank, a.started_at))

    def alarm(self, kind: AlarmKind) -> Alarm | None:
        return self._alarms.get(kind)

    def highest_priority(self, *, unacknowledged_only: bool = False) -> Priority | None:
        """The priority to flash (all alarms) or to sound (unacknowledged ones)."""
        ranks = [a.priority for a in list(self._alarms.values())
                 if not (unacknowledged_only and a.acknowledged)]
        return max(ranks, key=lambda p: p.rank) if ranks else None

    @property
    def satseconds(self) -> SatSeconds:
        return self._sat

    # ---- technical conditions -------------------------------------------------------------
    def _update_technical(self, t: float, out: list[AlarmTransition]) -> None:
        present = self._tech_present & SENSOR_TECHNICAL
        for kind in SENSOR_TECHNICAL - present:  # ends first: a successor inherits the priority
            self._onsets[kind].violating_since = None
            alarm = self._alarms.get(kind)
            if alarm is not None:
                if present:
                    self._handover_priority = _max(self._handover_priority, alarm.priority)
                self._end(kind, t, "cleared" if not present else "handed over", out)
        if not present:
            self._handover_priority = None
            return
        priority = _max(self._handover_priority, TECHNICAL_PRIORITY)
        for kind in sorted(present):
            onset = self._onsets[kind]
            if onset.violating_since is None:
                onset.violating_since = t
            since = onset.violating_since if self._last_valid_t is None else min(onset.violating_since,
                                                                                  self._last_valid_t)
            alarm = self._alarms.get(kind)
            if alarm is None:
                if self._handover_priority is not None or t - since >= self.limits.technical_delay_s:
                    self._start(kind, priority, t, None, out)
            elif alarm.priority.rank < priority.rank:
                self._raise(kind, priority, t, out)

    def _update_faults(self, t: float, out: list[AlarmTransition]) -> None:
        for kind, last in list(self._faults.items()):
            if t - last < FAULT_CLEAR_S:
                continue
            del self._faults[kind]
            alarm = self._alarms.get(kind)
            if alarm is None or alarm.latched or (kind is AlarmKind.AUDIO_UNAVAILABLE and not self._audio_ok):
                continue
            if alarm.acknowledged:
                self._end(kind, t, "cleared", out)
            else:  # nobody saw it: it stays until acknowledged
                latched = replace(alarm, latched=True)
                self._alarms[kind] = latched
                out.append(AlarmTransition(AlarmEvent.LATCHED, t, latched))

    # ---- physiological detectors ------------------------------------------------------------
    def _physiological(self, t: float, spo2: int | None, pr: int | None, out: list[AlarmTransition]) -> None:
        """Evaluate the trusted values; a parameter that is not trusted (None) hands over."""
        if spo2 is None:
            self._sat.interrupt()
        for kind, value in ((AlarmKind.SPO2_LOW, spo2), (AlarmKind.SPO2_HIGH, spo2),
                            (AlarmKind.PR_LOW, pr), (AlarmKind.PR_HIGH, pr)):
            if value is None:
                self._hand_over(kind, t, out)
            else:
                self._evaluate(kind, t, value, out)

    def _hand_over(self, kind: AlarmKind, t: float, out: list[AlarmTransition]) -> None:
        """No trusted value: an active alarm passes its priority to the technical alarm (which
        starts at once) and waits for valid data; a latched one stays until acknowledged."""
        onset = self._onsets[kind]
        onset.violating_since = onset.in_range_since = None
        alarm = self._alarms.get(kind)
        if alarm is None or (alarm.latched and kind not in self._handed_over):
            return
        self._handover_priority = _max(self._handover_priority, alarm.priority)
        if kind in self._handed_over:
            return
        self._handed_over[kind] = alarm
        if self.limits.latching and not alarm.acknowledged:
            latched = replace(alarm, latched=True)
            self._alarms[kind] = latched
            out.append(AlarmTransition(AlarmEvent.LATCHED, t, latched))
        else:
            self._end(kind, t, "handed over", out)

    def _evaluate(self, kind: AlarmKind, t: float, value: int, out: list[AlarmTransition]) -> None:
        lim = self.limits
        if kind is AlarmKind.SPO2_LOW:
            violating, recovered = value < lim.spo2_low, value >= lim.spo2_low + lim.spo2_hysteresis
            critical = lim.spo2_critical is not None and value < lim.spo2_critical
            delay, priority, lower_worse = lim.spo2_delay_s, lim.spo2_priority, True
        elif kind is AlarmKind.SPO2_HIGH:
            if lim.spo2_high is None:
                if kind in self._alarms:
                    self._end(kind, t, "cleared", out)
                self._handed_over.pop(kind, None)
                return
            violating, recovered = value > lim.spo2_high, value <= lim.spo2_high - lim.spo2_hysteresis
            critical, delay, priority, lower_worse = False, lim.spo2_delay_s, lim.spo2_high_priority, False
        elif kind is AlarmKind.PR_LOW:
            violating, recovered = value < lim.pr_low, value >= lim.pr_low + lim.pr_hysteresis
            critical = lim.pr_critical_low is not None and value < lim.pr_critical_low
            delay, priority, lower_worse = lim.pr_delay_s, lim.pr_priority, True
        else:
            violating, recovered = value > lim.pr_high, value <= lim.pr_high - lim.pr_hysteresis
            critical = lim.pr_critical_high is not None and value > lim.pr_critical_high
            delay, priority, lower_worse = lim.pr_delay_s, lim.pr_priority, False
        onset = self._onsets[kind]
        if violating and onset.violating_since is None:
            onset.violating_since = t
        if not violating:
            onset.violating_since = None
        if kind is AlarmKind.SPO2_LOW and lim.satseconds > 0:
            raised = self._sat.update(t, value) and violating
        else:
            raised = onset.violating_since is not None and t - onset.violating_since >= delay
        handed = self._handed_over.pop(kind, None)
        if handed is not None and violating:
            self._take_back(kind, handed, t, float(value), lower_worse, out)
            raised = True
        self._apply(kind, t, float(value), violating, raised, recovered, priority,
                    lower_worse=lower_worse, out=out)
        alarm = self._alarms.get(kind)
        if critical and alarm is not None and not alarm.latched and not alarm.critical:
            self._raise(kind, Priority.HIGH, t, out, critical=True)

    def _take_back(self, kind: AlarmKind, handed: Alarm, t: float, value: float, lower_worse: bool,
                   out: list[AlarmTransition]) -> None:
        """Valid data is back and still beyond the limit: the alarm continues at once, with
        its priority, acknowledgement and peak (no new onset delay)."""
        current = self._alarms.get(kind)
        if current is not None:  # latched meanwhile: live again
            self._alarms[kind] = replace(current, latched=False, peak=_worst(lower_worse, current.peak, value))
            return
        self._start(kind, handed.priority, t, _worst(lower_worse, handed.peak, value), out,
                    critical=handed.critical)
        resumed = self._alarms[kind]
        if handed.acknowledged:  # the same condition: its acknowledgement still holds
            self._alarms[kind] = replace(resumed, acknowledged_at=handed.acknowledged_at,
                                         acknowledged_by=handed.acknowledged_by)

    def _apply(self, kind: AlarmKind, t: float, value: float, violating: bool, raised: bool,
               recovered: bool, priority: Priority, *, lower_worse: bool,
               out: list[AlarmTransition]) -> None:
        """Start, track the peak of, latch or clear (with hysteresis) one physiological alarm."""
        onset = self._onsets[kind]
        alarm = self._alarms.get(kind)
        if violating:
            onset.worst = _worst(lower_worse, onset.worst, value)
        elif alarm is None:
            onset.worst = None
        if alarm is None or alarm.latched:
            if raised:
                if alarm is None:
                    self._start(kind, priority, t, onset.worst if onset.worst is not None else value,
                                out)
                else:  # the condition came back while latched: the same alarm is live again
                    self._alarms[kind] = replace(alarm, latched=False,
                                                 peak=_worst(lower_worse, alarm.peak, value))
                onset.in_range_since = None
            return
        self._alarms[kind] = replace(alarm, peak=_worst(lower_worse, alarm.peak, value))
        if not recovered:
            onset.in_range_since = None
            return
        if onset.in_range_since is None:
            onset.in_range_since = t
        if t - onset.in_range_since >= self.limits.clear_after_s:
            onset.in_range_since = None
            if kind is AlarmKind.SPO2_LOW:
                self._sat.reset()
            if self.limits.latching and not alarm.acknowledged:
                latched = replace(self._alarms[kind], latched=True)
                self._alarms[kind] = latched
                out.append(AlarmTransition(AlarmEvent.LATCHED, t, latched))
            else:
                self._end(kind, t, "cleared", out)

    # ---- priority -------------------------------------------------------------------------
    def _escalate(self, t: float, out: list[AlarmTransition]) -> None:
        after = self.limits.escalate_after_s
        if after <= 0:
            return
        for kind, alarm in list(self._alarms.items()):
            if (alarm.priority is Priority.MEDIUM and not alarm.acknowledged
                    and t - alarm.started_at >= after):
                up = replace(alarm, priority=Priority.HIGH, escalated_at=t)
                self._alarms[kind] = up
                out.append(AlarmTransition(AlarmEvent.ESCALATED, t, up))

    def _raise(self, kind: AlarmKind, priority: Priority, t: float, out: list[AlarmTransition],
               *, critical: bool = False) -> None:
        """A rise in priority (or a critical crossing) alarms again: an acknowledged alarm ends
        and a new, unacknowledged one starts; an unacknowledged one escalates."""
        alarm = self._alarms[kind]
        priority = _max(alarm.priority, priority)
        if alarm.acknowledged:
            self._end(kind, t, "re-alarmed", out)
            self._start(kind, priority, t, alarm.peak, out, critical=critical or alarm.critical)
        elif priority is not alarm.priority:
            up = replace(alarm, priority=priority, escalated_at=t, critical=critical or alarm.critical)
            self._alarms[kind] = up
            out.append(AlarmTransition(AlarmEvent.ESCALATED, t, up))
        elif critical:
            self._alarms[kind] = replace(alarm, critical=True)

    # ---- bookkeeping ------------------------------------------------------------------------
    def _start(self, kind: AlarmKind, priority: Priority, t: float, value: float | None,
               out: list[AlarmTransition], *, critical: bool = False, detail: str = "") -> None:
        base = f"{self.source or 'ALM'}-{kind.value}-{round(self._id_time(t) * 1000)}"
        if base == self._last_id[0]:  # a re-alarm in the same millisecond: ids are never reused
            self._last_id = (base, self._last_id[1] + 1)
            alarm_id = f"{base}-{self._last_id[1]}"
        else:
            self._last_id, alarm_id = (base, 1), base
        alarm = Alarm(alarm_id, self.source, kind, priority, t, peak=value, critical=critical, detail=detail)
        self._alarms[kind] = alarm
        out.append(AlarmTransition(AlarmEvent.STARTED, t, alarm))

    def _end(self, kind: AlarmKind, t: float, reason: str, out: list[AlarmTransition]) -> None:
        alarm = self._alarms.pop(kind)
        ended = replace(alarm, ended_at=t, end_reason=reason, latched=False)
        out.append(AlarmTransition(AlarmEvent.ENDED, t, ended))


def _worst(lower_worse: bool, current: float | None, value: float) -> float:
    """The peak value of an alarm: the lowest SpO2 / PR seen, or the highest PR."""
    if current is None:
        return value
    return min(current, value) if lower_worse else max(current, value)
