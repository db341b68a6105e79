"""Pure geometry of the time grid: minutes <-> pixels, side-by-side lanes, snapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SNAP_MINUTES = 5


@dataclass(frozen=True, slots=True)
class Scale:
    """Maps minutes since midnight to y pixels between ``top`` and ``top + height``."""

    first_hour: int
    last_hour: int
    top: float
    height: float

    @property
    def px_per_minute(self) -> float:
        return self.height / ((self.last_hour - self.first_hour) * 60)

    def y(self, minutes: float) -> float:
        return self.top + (minutes - self.first_hour * 60) * self.px_per_minute

    def minutes(self, y: float) -> float:
        return self.first_hour * 60 + (y - self.top) / self.px_per_minute


def minutes_of(t: datetime) -> int:
    return t.hour * 60 + t.minute


def snap(minutes: float, step: int = SNAP_MINUTES) -> int:
    return int(round(minutes / step) * step)


def at_minutes(day: datetime, minutes: int) -> datetime:
    return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)


def lanes(spans: Sequence[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(lane, lane count) per span so overlapping blocks sit side by side.

    Spans are grouped into clusters of mutual overlap; each cluster uses as many lanes as
    its deepest overlap, each span the first free lane.
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1]))
    result: list[tuple[int, int]] = [(0, 1)] * len(spans)
    cluster: list[int] = []
    lane_end: list[datetime] = []
    cluster_end: datetime | None = None

    def close() -> None:
        for i in cluster:
            result[i] = (result[i][0], max(1, len(lane_end)))

    for i in order:
        start, end = spans[i]
        if cluster_end is not None and start >= cluster_end:
            close()
            cluster, lane_end, cluster_end = [], [], None
        for lane, free_at in enumerate(lane_end):
            if free_at <= start:
                lane_end[lane] = end
                break
        else:
            lane = len(lane_end)
            lane_end.append(end)
        result[i] = (lane, 0)
        cluster.append(i)
        cluster_end = end if cluster_end is None else max(cluster_end, end)
    close()
    return result
