"""Scenario library: time series in, recorded alarms out, on a fake monotonic clock.

Expected values come from the published behaviour, not from the code:
- IEC 60601-1-8 (priorities, escalation, latching, audio pause <= 2 min covering only active
  conditions, technical alarms, no gap in hand-over), docs/monitor.md "Alarm rules" for the
  defaults (SpO2 low 90 % high priority, SatSeconds 25, pulse 50/120 medium with 10 s delay,
  hysteresis 2 points / 5 /min for 5 s, technical 10 s, escalation 120 s);
- Nellcor SatSeconds: points below the limit x seconds, alarm when the sum reaches the
  threshold (the manual's example: 88 % x 2 s, 86 % x 3 s, 84 % x 6 s at limit 90 and
  SatSeconds 50 alarms at about 10.7 s).
Each timing allows one sample period plus one evaluator tick (0.25 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hms_desktop.domain.alarm_limits import AlarmKind, AlarmLimits, Priority
from hms_desktop.domain.readings import DeviceFlag
from hms_desktop.monitoring.station import MonitoringStation
from tests.monitoring.scenario import Segment, run_scenario

RATES = pytest.mark.parametrize("rate_hz", [1.0, 60.0], ids=["1Hz", "60Hz"])
FINGER = frozenset({DeviceFlag.FINGER_OUT})


def near(actual: float, expected: float, rate_hz: float) -> bool:
    return abs(actual - expected) <= 1.0 / rate_hz + 0.25


@RATES
def test_brief_shallow_dip_does_not_alarm(data_dir: Path, rate_hz: float) -> None:
    # 88 % for 3 s = 6 SatSeconds < 25
    run = run_scenario(data_dir, [Segment(10), Segment(3, spo2=88), Segment(20)], rate_hz=rate_hz)
    assert run.events == []


@RATES
def test_sustained_desaturation_alarms_high_when_the_area_reaches_25(data_dir: Path, rate_hz: float) -> None:
    # 85 % from t=10: 5 points a second reaches 25 at t=15
    run = run_scenario(data_dir, [Segment(10), Segment(20, spo2=85)], rate_hz=rate_hz)
    alarm = run.first("spo2_low")
    assert near(alarm.at, 15.0, rate_hz) and alarm.priority == "high"


@RATES
def test_satseconds_lets_a_long_shallow_dip_pass_and_catches_a_short_deep_one(data_dir: Path, rate_hz: float) -> None:
    shallow = run_scenario(data_dir / "a", [Segment(5), Segment(11, spo2=88), Segment(10)], rate_hz=rate_hz)
    assert shallow.events == []  # 2 points x 11 s = 22 < 25
    deep = run_scenario(data_dir / "b", [Segment(5), Segment(3, spo2=70), Segment(10)], rate_hz=rate_hz)
    assert near(deep.first("spo2_low").at, 6.25, rate_hz)  # 20 points a second: 25 after 1.25 s


@RATES
def test_80_percent_for_3_s_alarms_before_recovery(data_dir: Path, rate_hz: float) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(3, spo2=80), Segment(10)], rate_hz=rate_hz)
    assert near(run.first("spo2_low").at, 7.5, rate_hz)  # 30 SatSeconds >= 25, reached at 2.5 s


@RATES
def test_nellcor_manual_example_alarms_at_about_10_7_s(data_dir: Path, rate_hz: float) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(2, spo2=88), Segment(3, spo2=86), Segment(6, spo2=84),
                                  Segment(10)], limits=AlarmLimits(satseconds=50), rate_hz=rate_hz)
    assert near(run.first("spo2_low").at - 5, 10.67, rate_hz)


@RATES
def test_pulse_high_and_low_alarm_medium_after_10_s_and_clear_with_hysteresis(data_dir: Path, rate_hz: float) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(20, pulse=130), Segment(3, pulse=118), Segment(10, pulse=100),
                                  Segment(20, pulse=45)], rate_hz=rate_hz)
    high = run.first("pr_high")
    assert near(high.at, 15.0, rate_hz) and high.priority == "medium"
    # 118 is inside the 5 /min margin: the alarm ends only 5 s into 100 /min (t=28 -> 33)
    assert near(run.first("pr_high", "ended").at, 33.0, rate_hz)
    assert near(run.first("pr_low").at, 48.0, rate_hz)


@pytest.mark.slow
def test_unacknowledged_medium_alarm_escalates_to_high_after_120_s(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(140, pulse=130)])
    assert near(run.first("pr_high", "escalated").at, 135.0, 1.0)
    assert run.first("pr_high", "escalated").priority == "high"


def test_hysteresis_keeps_the_alarm_inside_the_margin(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(10, spo2=80), Segment(30, spo2=91), Segment(10, spo2=92)])
    assert run.of("spo2_low", "ended")[0].at == pytest.approx(50.0, abs=1.25)  # 92 from 45, 5 s


def test_latched_alarm_stays_after_recovery_until_acknowledged(data_dir: Path) -> None:
    ack: dict[float, object] = {60.0: lambda st, t: st.acknowledge("BED01", AlarmKind.SPO2_LOW)}
    run = run_scenario(data_dir, [Segment(5), Segment(10, spo2=80), Segment(50, spo2=97)],
                       limits=AlarmLimits(latching=True), at=ack)  # type: ignore[arg-type]
    assert near(run.first("spo2_low", "latched").at, 20.0, 1.0)
    ended = run.first("spo2_low", "ended")
    assert ended.at == pytest.approx(60.0, abs=0.3) and ended.end_reason == "acknowledged"


def test_sensor_off_without_an_alarm_is_a_medium_technical_alarm_after_10_s(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(20), Segment(20, spo2=None, pulse=None,
                                                       flags=frozenset({DeviceFlag.SENSOR_OFF}))])
    alarm = run.first("sensor_off")
    assert near(alarm.at, 29.0, 1.0) and alarm.priority == "medium"  # 10 s after the last valid second


def test_no_data_alarms_10_s_after_the_last_valid_reading(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(20), Segment(20, silent=True)])
    assert near(run.first("no_data").at, 29.0, 1.0)


def test_a_session_that_never_gets_data_alarms_after_10_s(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(30, silent=True)])
    assert near(run.first("no_data").at, 10.0, 1.0)


@pytest.mark.parametrize("flags", [frozenset(), frozenset({DeviceFlag.SEARCHING}),
                                   frozenset({DeviceFlag.ARTIFACT, DeviceFlag.SEARCHING})],
                         ids=["no flag", "searching", "artifact+searching"])
@pytest.mark.slow
def test_invalid_readings_without_finger_out_alarm_after_10_s(data_dir: Path, flags: frozenset[DeviceFlag]) -> None:
    run = run_scenario(data_dir, [Segment(20), Segment(120, spo2=None, pulse=None, flags=flags)])
    alarm = run.first("no_valid_reading")
    assert near(alarm.at, 29.0, 1.0) and alarm.priority == "medium"


def test_a_device_that_never_gives_a_valid_value_alarms_after_10_s(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(60, spo2=None, pulse=None, flags=frozenset({DeviceFlag.SEARCHING}))])
    assert near(run.first("no_valid_reading").at, 10.0, 1.0)


@RATES
def test_finger_out_during_a_desaturation_hands_over_without_gap_and_valid_low_data_continues_at_once(
        data_dir: Path, rate_hz: float) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(25, spo2=80), Segment(10, spo2=None, pulse=None, flags=FINGER),
                                  Segment(10, spo2=80)], rate_hz=rate_hz)
    handed = run.first("spo2_low", "ended")
    finger = run.first("finger_out")
    assert handed.end_reason == "handed over" and handed.at == pytest.approx(30.0, abs=1 / rate_hz + 1e-6)
    assert finger.at == handed.at and finger.priority == "high"  # no gap, no lower priority
    resumed = run.of("spo2_low")[1]
    assert resumed.at == pytest.approx(40.0, abs=1 / rate_hz + 1e-6) and resumed.priority == "high"
    assert run.first("finger_out", "ended").at == resumed.at
    # the SatSeconds sum survived the interruption: it is still far beyond the threshold
    assert run.station.monitors["BED01"].engine.satseconds.total > 25


def test_no_data_during_an_alarm_hands_over_at_once_at_its_priority(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(25, spo2=80), Segment(20, silent=True)])
    handed = run.first("spo2_low", "ended")
    no_data = run.first("no_data")
    assert handed.end_reason == "handed over" and no_data.at == handed.at and no_data.priority == "high"
    assert 30.0 < no_data.at <= 35.25 + 1.0  # stale 5 s after the last sample (t=29)


def test_finger_out_never_ends_a_latched_alarm(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(5), Segment(10, spo2=80), Segment(10, spo2=97),
                                  Segment(20, spo2=None, pulse=None, flags=FINGER)],
                       limits=AlarmLimits(latching=True))
    assert run.of("spo2_low", "latched") and not run.of("spo2_low", "ended")
    alarm = run.station.monitors["BED01"].engine.alarm(AlarmKind.SPO2_LOW)
    assert alarm is not None and alarm.latched


def test_an_acknowledged_alarm_stays_silent_while_its_condition_lasts(data_dir: Path) -> None:
    ack = {20.0: lambda st, t: st.acknowledge("BED01", AlarmKind.SPO2_LOW)}
    run = run_scenario(data_dir, [Segment(5), Segment(75, spo2=88)], at=ack)  # type: ignore[arg-type]
    assert len(run.of("spo2_low")) == 1 and not run.of("spo2_low", "ended")


def test_crossing_the_critical_limit_after_an_acknowledgement_alarms_again(data_dir: Path) -> None:
    ack = {20.0: lambda st, t: st.acknowledge("BED01", AlarmKind.SPO2_LOW)}
    run = run_scenario(data_dir, [Segment(5), Segment(25, spo2=88), Segment(60, spo2=60)], at=ack,  # type: ignore[arg-type]
                       limits=AlarmLimits(spo2_critical=85))
    again = run.of("spo2_low")[1]
    assert again.at == pytest.approx(30.0, abs=1.0) and again.priority == "high"
    assert run.first("spo2_low", "ended").end_reason == "re-alarmed"
    assert (30.0 - 0.01) <= min(t for t, _ in run.played if t >= 30.0) <= 31.0  # it sounds again


def test_pulse_critical_limit_raises_an_acknowledged_medium_alarm_to_high(data_dir: Path) -> None:
    ack = {20.0: lambda st, t: st.acknowledge("BED01", AlarmKind.PR_HIGH)}
    run = run_scenario(data_dir, [Segment(5), Segment(25, pulse=125), Segment(10, pulse=160)], at=ack,  # type: ignore[arg-type]
                       limits=AlarmLimits(pr_critical_high=150))
    again = run.of("pr_high")[1]
    assert again.at == pytest.approx(30.0, abs=1.0) and again.priority == "high"


def test_spo2_high_limit_for_a_patient_on_oxygen(data_dir: Path) -> None:
    run = run_scenario(data_dir, [Segment(5, spo2=94), Segment(20, spo2=98)], limits=AlarmLimits(spo2_high=96))
    alarm = run.first("spo2_high")
    assert near(alarm.at, 15.0, 1.0) and alarm.priority == "medium"
    assert run_scenario(data_dir / "off", [Segment(5), Segment(20, spo2=99)]).events == []


def test_a_wall_clock_step_during_the_onset_delay_changes_nothing(data_dir: Path) -> None:
    step = {8.0: lambda st, t: st.clock.step_wall(-300.0)}  # type: ignore[attr-defined]
    run = run_scenario(data_dir, [Segment(5), Segment(20, pulse=130)], at=step)  # type: ignore[arg-type]
    # onset at 5 + 10 s on the monotonic clock; the record's wall time moved back 300 s
    assert near(run.first("pr_high").at, 15.0 - 300.0, 1.0)


@pytest.mark.slow
def test_audio_pause_covers_only_the_alarms_sounding_when_pressed(data_dir: Path) -> None:
    def pause(st: MonitoringStation, t: float) -> None:
        st.pause_audio()

    feeds = {"BED01": [Segment(5), Segment(200, spo2=80)],
             "BED02": [Segment(40), Segment(165, pulse=130)]}
    run = run_scenario(data_dir, [], feeds=feeds, beds=2, at={15.0: pause})
    bed1_start = run.first("spo2_low").at
    quiet = [t for t, p in run.played if 15.0 < t < 50.0 - 0.01]
    assert bed1_start < 15.0 and quiet == []  # the paused high alarm is silent...
    assert any(50.0 <= t <= 50.5 and p is Priority.MEDIUM for t, p in run.played)  # ...a new one sounds at once
    # the pause ends after 2 minutes at the latest: the first alarm sounds again by t=135
    assert any(135.0 <= t <= 135.5 and p is Priority.HIGH for t, p in run.played)
    assert run.station.audio.remaining(run.clock.monotonic()) == 0
