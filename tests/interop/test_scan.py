"""The scan detector on fake time: a scanner's burst is a scan, a person's typing is not."""

from __future__ import annotations

from hms_desktop.interop.scan import ScanDetector


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _type(detector: ScanDetector, clock: FakeClock, text: str, gap: float) -> str | None:
    for ch in text:
        clock.now += gap
        detector.key(ch)
    clock.now += gap
    return detector.enter()


def test_fast_burst_ending_in_enter_is_a_scan() -> None:
    clock = FakeClock()
    detector = ScanDetector(clock=clock)
    assert _type(detector, clock, "PAT000123", 0.008) == "PAT000123"
    assert _type(detector, clock, "pat000124", 0.02) == "PAT000124"  # caps lock off on the scanner


def test_human_typing_is_not_a_scan() -> None:
    clock = FakeClock()
    detector = ScanDetector(clock=clock)
    assert _type(detector, clock, "PAT000123", 0.15) is None
    # a person types, pauses, then a scan follows: only the burst counts
    for ch in "Smith":
        clock.now += 0.2
        detector.key(ch)
    clock.now += 1.0
    assert _type(detector, clock, "PAT000125", 0.01) == "PAT000125"


def test_bursts_that_are_not_ids_are_ignored() -> None:
    clock = FakeClock()
    detector = ScanDetector(clock=clock)
    assert _type(detector, clock, "hello world", 0.005) is None  # a paste-like burst
    assert _type(detector, clock, "PAT", 0.005) is None
    clock.now += 0.005
    assert detector.enter() is None  # Enter alone


def test_slow_enter_after_a_fast_burst_is_not_a_scan() -> None:
    clock = FakeClock()
    detector = ScanDetector(clock=clock)
    for ch in "PAT000123":
        clock.now += 0.005
        detector.key(ch)
    clock.now += 0.5  # a person pressed Enter later
    assert detector.enter() is None
