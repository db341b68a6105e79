"""The alarm engine: pure, driven by the timestamps the caller passes in.

It turns a stream of (time, SpO2, pulse rate, device flags) plus device connection states
into alarm transitions (started, escalated, acknowledged, cleared-but-latched, ended),
after the bedside-monitor rules in reference/clinical.md:
- onset delays, and SatSeconds for low SpO2 (with the 3-violations-in-60 s safety net);
- hysteresis on clearing: back inside the limit by a margin for ``clear_after_s``;
- sensor technical conditions (finger out, sensor off, no data, unplugged) suppress SpO2/PR
  alarms while they last and raise their own medium alarm after ``technical_delay_s``;
- optional latching; an unacknowledged medium alarm escalates to high.
No clock, no Qt, no I/O: tests control time exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from hms_desktop.domain.alarm_limits import (
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
    end_reason: str = ""  # "cleared", "acknowledged", "suppressed", "stopped"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def text(self) -> str:
        return f"{self.priority.prefix} {self.kind.label}"


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


class AlarmEngine:
    """Alarm state of one monitored bed. Feed samples in time order; collect transitions."""

    def __init__(self, limits: AlarmLimits | None = None, *, source: str = "",
                 no_data_after_s: float = 5.0, id_time: Callable[[float], float] | None = None) -> None:
        self.limits = limits or AlarmLimits()
        self.source = source
        # Alarm ids carry a wall-clock stamp (unique across restarts) even though the engine
        # runs on a monotonic clock: the caller maps engine time to wall time.
        self._id_time = id_time or (lambda t: t)
        self.no_data_after_s = no_data_after_s
        self._alarms: dict[AlarmKind, Alarm] = {}
        self._onsets: dict[AlarmKind, _Onset] = {k: _Onset() for k in AlarmKind}
        self._sat = SatSeconds(self.limits.spo2_low, self.limits.satseconds)
        self._tech_present: set[AlarmKind] = set()
        self._device_state = ""
        self._last_sample_t: float | None = None
        self._audio_ok = True
        self._now = 0.0

    # ---- inputs -------------------------------------------------------------------------
    def set_limits(self, limits: AlarmLimits) -> None:
        """New limits apply from the next sample; running detectors restart against them."""
        self.limits = limits
        self._sat = SatSeconds(limits.spo2_low, limits.satseconds)
        for kind in PHYSIOLOGICAL:
            self._onsets[kind] = _Onset()

    def feed(self, t: float, spo2: int | None, pulse_rate: int | None,
             flags: Iterable[DeviceFlag] = ()) -> list[AlarmTransition]:
        """One numerics sample at time ``t`` (seconds)."""
        out: list[AlarmTransition] = []
        self._now = t
        self._last_sample_t = t
        flag_kinds = {_FLAG_KINDS[f] for f in flags if f in _FLAG_KINDS}
        present = set(flag_kinds)
        state_kind = _STATE_KINDS.get(self._device_state)
        if state_kind is AlarmKind.DEVICE_UNPLUGGED:
            present.add(state_kind)  # bytes may still be buffered, the port is gone
        self._tech_present = present
        self._update_technical(t, out)
        if self._tech_present:
            self._suppress_physiological(t, out)
        else:
            self._update_spo2(t, spo2, out)
            self._update_pr(t, pulse_rate, out)
        self._escalate(t, out)
        return out

    def set_device_state(self, t: float, state: str) -> list[AlarmTransition]:
        """Reader states: connecting, streaming, no_data, disconnected, stopped."""
        self._device_state = state
        out: list[AlarmTransition] = []
        self._now = t
        if state == "stopped":  # monitoring ended on purpose: nothing to alarm about
            for live in list(self._alarms):
                if live is not AlarmKind.AUDIO_UNAVAILABLE:
                    self._end(live, t, "stopped", out)
            self._tech_present.clear()
            return out
        kind = _STATE_KINDS.get(state)
        self._tech_present = {k for k in self._tech_present if k not in _STATE_KINDS.values()}
        if kind is not None:
            self._tech_present.add(kind)
        elif state == "streaming":
            self._last_sample_t = t  # streaming again: staleness restarts from now
        self._update_technical(t, out)
        if self._tech_present:
            self._suppress_physiological(t, out)
        self._escalate(t, out)
        return out

    def set_audio_available(self, t: float, available: bool) -> list[AlarmTransition]:
        """No audio output is itself an alarm: staff must know the monitor cannot beep."""
        self._audio_ok = available
        out: list[AlarmTransition] = []
        kind = AlarmKind.AUDIO_UNAVAILABLE
        if not available and kind not in self._alarms:
            self._start(kind, AUDIO_PRIORITY, t, None, out)
        elif available and kind in self._alarms:
            self._end(kind, t, "cleared", out)
        return out

    def tick(self, t: float) -> list[AlarmTransition]:
        """Advance time without a sample: onset delays, staleness, escalation."""
        out: list[AlarmTransition] = []
        self._now = t
        stale = (self._last_sample_t is not None and self._device_state not in ("stopped", "")
                 and t - self._last_sample_t > self.no_data_after_s)
        if stale:
            self._tech_present.add(AlarmKind.NO_DATA)
        self._update_technical(t, out)
        if self._tech_present:
            self._suppress_physiological(t, out)
        self._escalate(t, out)
        return out

    def acknowledge(self, t: float, kind: AlarmKind, by: str) -> list[AlarmTransition]:
        """Silence one alarm (stops its audio and escalation); a latched one ends."""
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

    def acknowledge_all(self, t: float, by: str) -> list[AlarmTransition]:
        out: list[AlarmTransition] = []
        for kind in list(self._alarms):
            out += self.acknowledge(t, kind, by)
        return out

    # ---- state --------------------------------------------------------------------------
    @property
    def alarms(self) -> list[Alarm]:
        """Alarms on screen, most urgent first."""
        return sorted(self._alarms.values(), key=lambda a: (-a.priority.rank, a.started_at))

    def alarm(self, kind: AlarmKind) -> Alarm | None:
        return self._alarms.get(kind)

    def highest_priority(self, *, unacknowledged_only: bool = False) -> Priority | None:
        """The priority to flash (all alarms) or to sound (unacknowledged ones)."""
        ranks = [a.priority for a in self._alarms.values()
                 if not (unacknowledged_only and a.acknowledged)]
        return max(ranks, key=lambda p: p.rank) if ranks else None

    @property
    def satseconds(self) -> SatSeconds:
        return self._sat

    # ---- detectors ----------------------------------------------------------------------
    def _update_technical(self, t: float, out: list[AlarmTransition]) -> None:
        for kind in SENSOR_TECHNICAL:
            onset = self._onsets[kind]
            if kind in self._tech_present:
                if onset.violating_since is None:
                    onset.violating_since = t
                if kind not in self._alarms and t - onset.violating_since >= self.limits.technical_delay_s:
                    self._start(kind, TECHNICAL_PRIORITY, t, None, out)
            else:
                onset.violating_since = None
                if kind in self._alarms:
                    self._end(kind, t, "cleared", out)

    def _suppress_physiological(self, t: float, out: list[AlarmTransition]) -> None:
        for kind in PHYSIOLOGICAL:
            self._onsets[kind] = _Onset()
            if kind in self._alarms:
                self._end(kind, t, "suppressed", out)
        self._sat.reset()

    def _update_spo2(self, t: float, spo2: int | None, out: list[AlarmTransition]) -> None:
        if spo2 is None:
            return  # invalid value without a technical flag: no evidence either way
        lim = self.limits
        kind = AlarmKind.SPO2_LOW
        onset = self._onsets[kind]
        below = spo2 < lim.spo2_low
        if lim.satseconds > 0:
            # The area is summed up to this sample, so it can reach the threshold on the first
            # sample back in range: only a value still below the limit starts the alarm.
            raised = self._sat.update(t, spo2) and below
        else:
            if below and onset.violating_since is None:
                onset.violating_since = t
            if not below:
                onset.violating_since = None
            raised = onset.violating_since is not None and t - onset.violating_since >= lim.spo2_delay_s
        self._apply(kind, t, float(spo2), below, raised, spo2 >= lim.spo2_low + lim.spo2_hysteresis,
                    lim.spo2_priority, lower_worse=True, out=out)

    def _update_pr(self, t: float, pr: int | None, out: list[AlarmTransition]) -> None:
        if pr is None:
            return
        lim = self.limits
        for kind, violating, recovered, lower_worse in (
            (AlarmKind.PR_LOW, pr < lim.pr_low, pr >= lim.pr_low + lim.pr_hysteresis, True),
            (AlarmKind.PR_HIGH, pr > lim.pr_high, pr <= lim.pr_high - lim.pr_hysteresis, False),
        ):
            onset = self._onsets[kind]
            if violating and onset.violating_since is None:
                onset.violating_since = t
            if not violating:
                onset.violating_since = None
            raised = onset.violating_since is not None and t - onset.violating_since >= lim.pr_delay_s
            self._apply(kind, t, float(pr), violating, raised, recovered, lim.pr_priority,
                        lower_worse=lower_worse, out=out)

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

    def _start(self, kind: AlarmKind, priority: Priority, t: float, value: float | None,
               out: list[AlarmTransition]) -> None:
        alarm_id = f"{self.source or 'ALM'}-{kind.value}-{round(self._id_time(t) * 1000)}"
        alarm = Alarm(alarm_id, self.source, kind, priority, t, peak=value)
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
