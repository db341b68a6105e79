"""What the simulated patient and device do over time.

A scenario is a loop of segments. Each segment lasts ``duration_s`` and ramps SpO2 and
pulse rate linearly from the previous segment's values to its own, under one condition
(``ok``, ``finger_out``, ``sensor_off``, ``unplugged``, ``garbage``, ``wrong_baud``).
Built-in scenarios take the simulator's base SpO2 and pulse rate; a scenario file is a
CSV with the header ``duration_s,spo2,pr,condition`` (empty spo2/pr keep the previous).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CONDITIONS = ("ok", "finger_out", "sensor_off", "unplugged", "garbage", "wrong_baud")


@dataclass(frozen=True)
class Segment:
    duration_s: float
    spo2: float
    pr: float
    condition: str = "ok"


@dataclass(frozen=True)
class SimState:
    spo2: int
    pr: int
    condition: str


class Scenario:
    def __init__(self, name: str, segments: list[Segment], start: tuple[float, float]) -> None:
        if not segments:
            raise ValueError(f"scenario '{name}' has no segments")
        self.name = name
        self.segments = segments
        self._start = start
        self.duration_s = sum(s.duration_s for s in segments)

    def state_at(self, t_s: float) -> SimState:
        t = t_s % self.duration_s
        spo2, pr = self._start
        for seg in self.segments:
            if t < seg.duration_s:
                f = t / seg.duration_s
                return SimState(round(spo2 + (seg.spo2 - spo2) * f), round(pr + (seg.pr - pr) * f),
                                seg.condition)
            t -= seg.duration_s
            spo2, pr = seg.spo2, seg.pr
        last = self.segments[-1]
        return SimState(round(last.spo2), round(last.pr), last.condition)


def builtin(name: str, spo2: int, pr: int) -> Scenario:
    """One of BUILTIN_NAMES, around the given baseline."""
    s, p = float(spo2), float(pr)
    table: dict[str, list[Segment]] = {
        "steady": [Segment(60, s, p)],
        "desaturation": [Segment(10, s, p), Segment(30, 84, p + 12), Segment(20, 84, p + 12),
                         Segment(20, s, p)],
        "bradycardia": [Segment(10, s, p), Segment(20, s, 38), Segment(30, s, 38), Segment(20, s, p)],
        "tachycardia": [Segment(10, s, p), Segment(20, s, 150), Segment(30, s, 150), Segment(20, s, p)],
        "finger-out": [Segment(10, s, p), Segment(8, s, p, "finger_out")],
        "sensor-off": [Segment(10, s, p), Segment(8, s, p, "sensor_off")],
        "unplug-replug": [Segment(5, s, p), Segment(3, s, p, "unplugged")],
        "garbage": [Segment(60, s, p, "garbage")],
        "wrong-baud": [Segment(60, s, p, "wrong_baud")],
    }
    key = name.replace("_", "-").replace(" ", "-").lower()
    if key not in table:
        raise ValueError(f"unknown scenario '{name}' (known: {', '.join(BUILTIN_NAMES)} or a CSV file)")
    return Scenario(key, table[key], (s, p))


BUILTIN_NAMES = ("steady", "desaturation", "bradycardia", "tachycardia", "finger-out", "sensor-off",
                 "unplug-replug", "garbage", "wrong-baud")


def load_scenario(path: Path, spo2: int, pr: int) -> Scenario:
    """Read a scenario CSV; ValueError naming the file, line and column on bad input."""
    segments: list[Segment] = []
    prev_spo2, prev_pr = float(spo2), float(pr)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        expected = {"duration_s", "spo2", "pr", "condition"}
        if set(reader.fieldnames or ()) != expected:
            raise ValueError(f"{path.name} line 1: header must be duration_s,spo2,pr,condition")
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            duration = _number(row["duration_s"], where, "duration_s", 0.001, 86400)
            seg_spo2 = _number(row["spo2"], where, "spo2", 0, 100) if row["spo2"].strip() else prev_spo2
            seg_pr = _number(row["pr"], where, "pr", 20, 300) if row["pr"].strip() else prev_pr
            condition = (row["condition"] or "ok").strip()
            if condition not in CONDITIONS:
                raise ValueError(f"{where}: condition '{condition}' is not one of {', '.join(CONDITIONS)}")
            segments.append(Segment(duration, seg_spo2, seg_pr, condition))
            prev_spo2, prev_pr = seg_spo2, seg_pr
    if not segments:
        raise ValueError(f"{path.name}: no segments after the header")
    return Scenario(path.stem, segments, (float(spo2), float(pr)))


def _number(text: str, where: str, column: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {column} '{text}' is not a number") from None
    if not low <= value <= high:
        raise ValueError(f"{where}: {column} {value:g} is outside {low:g}..{high:g}")
    return value


def resolve(scenario: str, spo2: int, pr: int) -> Scenario:
    """A built-in name or the path of a scenario CSV."""
    path = Path(scenario)
    if path.suffix.lower() == ".csv" or path.is_file():
        if not path.is_file():
            raise ValueError(f"scenario file {scenario} does not exist")
        return load_scenario(path, spo2, pr)
    return builtin(scenario, spo2, pr)
