"""Everything the screen knows about one bed, fed by reading batches; no Qt, no widgets.

Acquisition fills it (``ingest`` per batch, up to ~30 per second, on the reader's thread);
views read it on their own timer. It owns the bed's alarm engine, so alarm timing follows the
readings exactly. The pleth sweep is written only by the thread that draws it
(``drain_pleth`` before each frame): the drawing never sees a half-moved erase bar.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hms_desktop.devices.simulated import is_simulated
from hms_desktop.domain.alarm_limits import AlarmLimits
from hms_desktop.domain.alarms import AlarmEngine, AlarmTransition
from hms_desktop.domain.live_news2 import LiveNews2
from hms_desktop.domain.monitoring import Bed, MonitoringSession, SessionStatus
from hms_desktop.domain.readings import DeviceFlag, Reading
from hms_desktop.monitoring.ring_buffer import SweepBuffer, TrendBuffer


@dataclass
class Numerics:
    spo2: int | None = None
    pulse_rate: int | None = None
    perfusion_index: float | None = None
    signal_strength: int | None = None
    flags: frozenset[DeviceFlag] = frozenset()
    at: float | None = None


@dataclass
class BedMonitor:
    bed: Bed
    rate_hz: float = 60.0
    session: MonitoringSession | None = None
    patient_name: str = ""  # "Given Family", looked up once when a session is adopted
    port: str = ""
    protocol: str = ""
    not_saved: str = ""  # why this bed's session is not saved nor recorded ("" when it is)
    device_state: str = "idle"  # idle, connecting, streaming, no_data, disconnected, stopped, paused
    numerics: Numerics = field(default_factory=Numerics)
    news2: LiveNews2 | None = None
    engine: AlarmEngine = field(init=False)
    sweep: SweepBuffer = field(init=False)
    trend: TrendBuffer = field(default_factory=TrendBuffer)
    last_batch_at: float | None = None  # perf-clock stamp of the newest batch (latency figures)
    wall_of: Callable[[float], float] | None = None  # monotonic -> wall time (alarm ids)
    # Samples waiting for the drawing thread; deque appends and pops are thread-safe. Bounded
    # to one sweep window, so a drawing thread that stalls never makes it grow.
    pending_pleth: deque[float] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = AlarmEngine(source=self.bed.id, id_time=self.wall_of)
        self.sweep = SweepBuffer(self.rate_hz)
        self.pending_pleth = deque(maxlen=self.sweep.size)

    @property
    def patient_id(self) -> str:
        return self.session.patient_id if self.session else ""

    @property
    def patient_text(self) -> str:
        """Name and ID for tiles and lists ("Ada Lovelace · PAT000005"), or "no patient"."""
        pid = self.patient_id
        if not pid:
            return "no patient"
        name = self.patient_name
        return f"{name} · {pid}" if name and name != pid else pid

    @property
    def simulated(self) -> bool:
        """Fed by a simulator: the screen must say DEMO, never pass it off as a patient's vitals."""
        return is_simulated(self.port)

    @property
    def monitoring(self) -> bool:
        return self.session is not None and self.session.status is SessionStatus.ACTIVE

    def set_limits(self, limits: AlarmLimits) -> None:
        self.engine.set_limits(limits)

    def ingest(self, t: float, readings: Sequence[Reading]) -> list[AlarmTransition]:
        """One batch: pleth queued for the sweep, latest numerics, one alarm-engine step."""
        if not readings:
            return []
        self.pending_pleth.extend(v for r in readings for v in r.pleth)
        n = self.numerics
        flags: set[DeviceFlag] = set()
        for r in readings:
            flags.update(r.flags)
        last = readings[-1]
        # A device marks an invalid value None: show "---", never keep a stale number.
        # A heart-rate wearable reports heart_rate, an oximeter pulse_rate: both are "PR" here.
        n.spo2 = last.spo2
        n.pulse_rate = last.pulse_rate if last.pulse_rate is not None else last.heart_rate
        n.perfusion_index = last.perfusion_index
        n.signal_strength = last.signal_strength
        n.flags, n.at = frozenset(flags), t
        self.trend.add(t, n.spo2, n.pulse_rate)
        if not self.monitoring:
            return []
        return self.engine.feed(t, n.spo2, n.pulse_rate, flags, oximetry=_has_oximetry(readings))

    def drain_pleth(self) -> None:
        """Move the samples that arrived since the last frame into the sweep (drawing thread)."""
        pending, samples = self.pending_pleth, []
        for _ in range(len(pending)):
            try:
                samples.append(pending.popleft())
            except IndexError:  # the full deque dropped its oldest meanwhile (a long stall)
                break
        if samples:
            self.sweep.extend(samples)

    def set_device_state(self, t: float, state: str) -> list[AlarmTransition]:
        self.device_state = state
        if state in ("no_data", "disconnected", "stopped"):
            self.numerics = Numerics(flags=self.numerics.flags)
        if not self.monitoring and state != "stopped":
            return []
        return self.engine.set_device_state(t, state)


def _has_oximetry(readings: Sequence[Reading]) -> bool:
    """False only for a batch of wearable measurements alone (temperature, glucose, steps):
    they must not read as "no valid SpO2 / pulse" from an oximeter."""
    for r in readings:
        if r.spo2 is not None or r.pulse_rate is not None or r.heart_rate is not None or r.flags or r.pleth:
            return True
        if r.steps is None and r.glucose_mmol_l is None and r.temperature_c is None:
            return True  # nothing at all: an oximeter with nothing valid
    return False
