"""Alarm engine scenarios with explicit timestamps: every transition asserted."""

from __future__ import annotations

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.alarms import AlarmEngine, AlarmEvent, AlarmTransition
from hms_desktop.domain.readings import DeviceFlag

FINGER = frozenset({DeviceFlag.FINGER_OUT})


def feed_series(engine: AlarmEngine, start: float, spo2: list[int | None], pr: int | None = 75,
                flags: frozenset[DeviceFlag] = frozenset()) -> list[AlarmTransition]:
    out: list[AlarmTransition] = []
    for i, v in enumerate(spo2):
        out += engine.feed(start + i, v, pr, flags)
    return out


def events(trs: list[AlarmTransition]) -> list[tuple[str, str, float]]:
    return [(t.event.value, t.alarm.kind.value, t.at) for t in trs]


def delay_limits(**kw: object) -> AlarmLimits:
    base: dict[str, object] = dict(satseconds=0, spo2_delay_s=10, clear_after_s=5, spo2_hysteresis=2)
    base.update(kw)
    return AlarmLimits(**base)  # type: ignore[arg-type]


def test_spo2_low_with_onset_delay_starts_exactly_after_the_delay() -> None:
    eng = AlarmEngine(delay_limits(), source="BED01")
    trs = feed_series(eng, 100, [97, 88, 88, 88, 88, 88, 88, 88, 88, 88, 88, 88, 87])
    # below from t=101, delay 10 s -> started at t=111 with the value then
    assert events(trs) == [("started", "spo2_low", 111)]
    alarm = eng.alarm(AlarmKind.SPO2_LOW)
    assert alarm is not None and alarm.priority is Priority.HIGH
    assert alarm.peak == 87 and alarm.text == "*** SpO2 low"


def test_dip_shorter_than_the_delay_never_alarms() -> None:
    eng = AlarmEngine(delay_limits())
    assert feed_series(eng, 0, [88] * 9 + [95] * 3 + [88] * 9) == []


def test_hysteresis_needs_margin_and_time_before_clearing() -> None:
    eng = AlarmEngine(delay_limits())
    feed_series(eng, 0, [85] * 11)
    assert eng.alarm(AlarmKind.SPO2_LOW) is not None
    # 91 is above the 90 limit but inside the 2-point margin: never clears
    assert feed_series(eng, 11, [91] * 20) == []
    # 92 for 4 s, a relapse to 91 restarts the clock, then 92 for 5 s clears
    assert feed_series(eng, 31, [92] * 4 + [91]) == []
    trs = feed_series(eng, 36, [92] * 6)
    assert events(trs) == [("ended", "spo2_low", 41)]
    assert trs[0].alarm.end_reason == "cleared" and trs[0].alarm.peak == 85


def test_satseconds_mode_alarms_on_area_and_clears_with_hysteresis() -> None:
    eng = AlarmEngine(AlarmLimits(satseconds=25, clear_after_s=2))
    trs = feed_series(eng, 0, [95, 80, 80, 80, 80])
    # each 80 sample stands for the second before it: area 10 at t=1, 20 at t=2, 30 at t=3
    assert events(trs) == [("started", "spo2_low", 3)]
    trs = feed_series(eng, 5, [93, 93, 93])
    assert events(trs) == [("ended", "spo2_low", 7)]
    assert eng.satseconds.total == 0


def test_three_violations_in_60s_alarm_through_the_engine() -> None:
    eng = AlarmEngine(AlarmLimits(satseconds=100))
    out = []
    for t0 in (0, 20):
        out += eng.feed(t0, 89, 75)
        out += eng.feed(t0 + 1, 93, 75)
    out += eng.feed(40, 89, 75)
    assert events(out) == [("started", "spo2_low", 40)]


def test_pulse_rate_high_and_low_with_delay_and_medium_priority() -> None:
    eng = AlarmEngine(AlarmLimits(pr_delay_s=3, pr_high=120, pr_low=50, clear_after_s=1,
                                  escalate_after_s=0))
    out = []
    for i, pr in enumerate([100, 130, 135, 140, 125, 100, 100, 40, 40, 40, 40]):
        out += eng.feed(i, 97, pr)
    assert events(out) == [("started", "pr_high", 4), ("ended", "pr_high", 6),
                           ("started", "pr_low", 10)]
    assert out[1].alarm.peak == 140
    assert out[2].alarm.priority is Priority.MEDIUM


def test_finger_out_during_an_alarm_hands_over_at_once_and_valid_low_data_takes_it_back() -> None:
    eng = AlarmEngine(delay_limits(technical_delay_s=5))
    feed_series(eng, 0, [85] * 11)
    assert eng.alarm(AlarmKind.SPO2_LOW) is not None
    trs = feed_series(eng, 11, [None] * 7, pr=None, flags=FINGER)
    # no gap and no lower priority: the high SpO2 alarm becomes a high finger-out alarm at t=11
    assert events(trs) == [("ended", "spo2_low", 11), ("started", "finger_out", 11)]
    assert trs[0].alarm.end_reason == "handed over"
    assert trs[1].alarm.priority is Priority.HIGH
    # the finger goes back with SpO2 still low: the alarm continues at once, no new delay
    trs = feed_series(eng, 18, [85])
    assert events(trs) == [("started", "spo2_low", 18), ("ended", "finger_out", 18)]
    assert trs[0].alarm.priority is Priority.HIGH and trs[0].alarm.peak == 85


def test_finger_out_without_an_alarm_alarms_after_the_technical_delay() -> None:
    eng = AlarmEngine(delay_limits(technical_delay_s=5))
    feed_series(eng, 0, [97] * 11)
    trs = feed_series(eng, 11, [None] * 7, pr=None, flags=FINGER)
    assert events(trs) == [("started", "finger_out", 15)]  # 5 s after the last valid reading (t=10)
    assert trs[0].alarm.priority is Priority.MEDIUM


def test_low_values_during_a_technical_condition_never_alarm() -> None:
    eng = AlarmEngine(delay_limits(technical_delay_s=30))
    trs = feed_series(eng, 0, [60] * 29, flags=frozenset({DeviceFlag.SENSOR_OFF}))
    assert trs == []


def test_no_data_by_staleness_and_by_reader_state() -> None:
    eng = AlarmEngine(AlarmLimits(technical_delay_s=2), no_data_after_s=3)
    eng.set_device_state(0, "streaming")
    eng.feed(1, 97, 70)
    assert eng.tick(2.9) == []         # 1.9 s without data: not stale, inside the delay
    # stale after 3 s; the technical delay (2 s) counts from the last valid reading (t=1)
    assert events(eng.tick(4.5)) == [("started", "no_data", 4.5)]
    assert events(eng.feed(7, 97, 70)) == [("ended", "no_data", 7)]
    eng.set_device_state(8, "no_data")
    assert events(eng.tick(10)) == [("started", "no_data", 10)]


def test_unplugged_device_alarms_and_stop_ends_everything_quietly() -> None:
    eng = AlarmEngine(AlarmLimits(technical_delay_s=0))
    assert events(eng.set_device_state(5, "disconnected")) == [("started", "device_unplugged", 5)]
    trs = eng.set_device_state(9, "stopped")
    assert events(trs) == [("ended", "device_unplugged", 9)]
    assert trs[0].alarm.end_reason == "stopped"
    assert eng.tick(100) == []


def test_latching_keeps_a_cleared_alarm_until_acknowledged() -> None:
    eng = AlarmEngine(delay_limits(latching=True, clear_after_s=1))
    feed_series(eng, 0, [85] * 11)
    trs = feed_series(eng, 11, [97, 97, 97])
    assert events(trs) == [("latched", "spo2_low", 12)]
    latched = eng.alarm(AlarmKind.SPO2_LOW)
    assert latched is not None and latched.latched
    trs = eng.acknowledge(20, AlarmKind.SPO2_LOW, "nurse.kim")
    assert events(trs) == [("acknowledged", "spo2_low", 20), ("ended", "spo2_low", 20)]
    assert trs[1].alarm.acknowledged_by == "nurse.kim" and trs[1].alarm.end_reason == "acknowledged"
    assert eng.alarms == []


def test_acknowledged_active_alarm_stays_visible_but_silent_and_clears_normally() -> None:
    eng = AlarmEngine(delay_limits(latching=True, clear_after_s=1))
    feed_series(eng, 0, [85] * 11)
    eng.acknowledge(11, AlarmKind.SPO2_LOW, "dr.o")
    assert eng.highest_priority() is Priority.HIGH
    assert eng.highest_priority(unacknowledged_only=True) is None
    trs = feed_series(eng, 12, [97, 97])
    assert events(trs) == [("ended", "spo2_low", 13)]  # acknowledged: no latch needed


def test_unacknowledged_medium_alarm_escalates_to_high() -> None:
    eng = AlarmEngine(AlarmLimits(pr_delay_s=0, escalate_after_s=30))
    eng.feed(0, 97, 150)
    assert eng.tick(29.9) == []
    trs = eng.tick(30)
    assert events(trs) == [("escalated", "pr_high", 30)]
    assert trs[0].alarm.priority is Priority.HIGH and trs[0].alarm.escalated_at == 30
    assert eng.tick(60) == []  # escalates once


def test_acknowledged_medium_alarm_does_not_escalate() -> None:
    eng = AlarmEngine(AlarmLimits(pr_delay_s=0, escalate_after_s=30))
    eng.feed(0, 97, 150)
    eng.acknowledge(10, AlarmKind.PR_HIGH, "n")
    assert eng.tick(100) == []
    alarm = eng.alarm(AlarmKind.PR_HIGH)
    assert alarm is not None and alarm.priority is Priority.MEDIUM


def test_audio_unavailable_is_a_technical_alarm_that_does_not_suppress() -> None:
    eng = AlarmEngine(delay_limits(spo2_delay_s=0))
    assert events(eng.set_audio_available(0, False)) == [("started", "audio_unavailable", 0)]
    assert events(eng.feed(1, 80, 70)) == [("started", "spo2_low", 1)]
    assert [a.kind for a in eng.alarms] == [AlarmKind.SPO2_LOW, AlarmKind.AUDIO_UNAVAILABLE]
    assert events(eng.set_audio_available(2, True)) == [("ended", "audio_unavailable", 2)]


def test_alarm_ids_name_the_source_kind_and_start() -> None:
    eng = AlarmEngine(delay_limits(spo2_delay_s=0), source="BED07")
    (tr,) = eng.feed(1700000000.25, 80, 70)
    assert tr.alarm.alarm_id == "BED07-spo2_low-1700000000250"
    assert tr.event is AlarmEvent.STARTED


def test_new_limits_apply_to_the_next_samples() -> None:
    eng = AlarmEngine(delay_limits(spo2_delay_s=0))
    assert eng.feed(0, 88, 70) != []
    eng2 = AlarmEngine(delay_limits(spo2_delay_s=0))
    eng2.set_limits(delay_limits(spo2_delay_s=0, spo2_low=85))
    assert eng2.feed(0, 88, 70) == []


def test_satseconds_80_percent_for_3_s_at_1_hz_alarms_on_the_third_sample() -> None:
    eng = AlarmEngine(AlarmLimits(satseconds=25))
    # 10 points x 3 s = 30 >= 25: the third 80 % sample (t=3) crosses, before recovery
    trs = feed_series(eng, 0, [95, 80, 80, 80, 95, 95])
    assert events(trs) == [("started", "spo2_low", 3)]


def test_satseconds_never_rises_on_a_sample_back_in_range() -> None:
    eng = AlarmEngine(AlarmLimits(satseconds=25))
    trs = feed_series(eng, 0, [95, 80, 80, 95, 95])  # 20: below the threshold, then draining
    assert trs == [] and 0 < eng.satseconds.total < 20
