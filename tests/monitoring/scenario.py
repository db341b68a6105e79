"""The scenario runner: a time series in, the alarms the data folder recorded out.

A scenario is a list of segments (seconds, SpO2, pulse, flags); a segment with ``silent``
sends nothing (a device gone quiet). The runner feeds a real ``MonitoringStation`` (real data
folder, synchronous writer) from a hand-driven source at ``rate_hz`` on a ``FakeClock``, calls
``tick`` every 0.25 s like the evaluator thread, and returns the alarm events written to the
day file, with times in seconds from the start of the scenario (monotonic).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.domain.alarm_limits import AlarmLimits, Priority
from hms_desktop.domain.readings import DeviceFlag
from hms_desktop.monitoring.clock import FakeClock
from hms_desktop.monitoring.station import MonitoringStation
from tests.monitoring.helpers import ManualSource, make_core

TICK_S = 0.25
NO_FLAGS: frozenset[DeviceFlag] = frozenset()


@dataclass(frozen=True)
class Segment:
    seconds: float
    spo2: int | None = 97
    pulse: int | None = 75
    flags: frozenset[DeviceFlag] = NO_FLAGS
    silent: bool = False


@dataclass(frozen=True)
class Event:
    """One recorded alarm event, ``at`` in seconds from the scenario start."""

    at: float
    event: str
    kind: str
    priority: str
    end_reason: str = ""


@dataclass
class Run:
    events: list[Event]
    station: MonitoringStation
    clock: FakeClock
    played: list[tuple[float, Priority]] = field(default_factory=list)

    def of(self, kind: str, event: str = "started") -> list[Event]:
        return [e for e in self.events if e.kind == kind and e.event == event]

    def first(self, kind: str, event: str = "started") -> Event:
        found = self.of(kind, event)
        assert found, f"no {event} {kind} in {self.events}"
        return found[0]


Action = Callable[[MonitoringStation, float], None]


def run_scenario(data_dir: Path, segments: Sequence[Segment], *, limits: AlarmLimits | None = None,
                 rate_hz: float = 1.0, at: dict[float, Action] | None = None, beds: int = 1,
                 feeds: dict[str, Sequence[Segment]] | None = None) -> Run:
    """Feed ``segments`` to BED01 (or ``feeds`` per bed); ``at`` runs actions at given times."""
    store, service, station, clock, sound = make_core(data_dir, beds=beds, threaded=False)
    played: list[tuple[float, Priority]] = []
    start_mono = clock.monotonic()
    sound.play = lambda p: played.append((clock.monotonic() - start_mono, p))  # type: ignore[method-assign]
    feeds = feeds or {"BED01": segments}
    sources: dict[str, ManualSource] = {}
    for bed_id in feeds:
        pid = f"PAT0000{bed_id[-2:]}"
        if limits is not None:
            service.set_limits(pid, limits.model_copy(update={"id": pid}))
        station.start()
        sources[bed_id] = ManualSource()
        station.start_monitoring(bed_id, pid, "synthetic", "cms50-v7", source=sources[bed_id])
    wall_start = clock.wall()
    actions = sorted((at or {}).items())
    period = 1.0 / rate_hz
    end = max(sum(s.seconds for s in segs) for segs in feeds.values())
    steps = int(round(end / min(period, TICK_S) * 1))
    t = 0.0
    next_sample = {b: 0.0 for b in feeds}
    next_tick = 0.0
    step = min(period, TICK_S)
    for _ in range(steps + 1):
        while actions and actions[0][0] <= t + 1e-9:
            actions.pop(0)[1](station, t)
        for bed_id, segs in feeds.items():
            if t + 1e-9 >= next_sample[bed_id]:
                next_sample[bed_id] += period
                seg = _segment_at(segs, t)
                if seg is not None and not seg.silent:
                    sources[bed_id].send(seg.spo2, seg.pulse, seg.flags)
        if t + 1e-9 >= next_tick:
            next_tick += TICK_S
            station.tick()
        clock.advance(step)
        t = round(t + step, 9)
    station.stop()
    rows = service.data.alarms.read(datetime.now(UTC) - timedelta(days=2), datetime.now(UTC) + timedelta(days=2))
    events = [Event(round(r.at.timestamp() - wall_start, 3), r.event, r.kind, r.priority, r.end_reason)
              for r in rows]
    store.close()
    return Run(events, station, clock, played)


def _segment_at(segments: Sequence[Segment], t: float) -> Segment | None:
    start = 0.0
    for seg in segments:
        if start - 1e-9 <= t < start + seg.seconds - 1e-9:
            return seg
        start += seg.seconds
    return None
