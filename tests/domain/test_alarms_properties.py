"""Properties of the alarm engine over arbitrary sample streams (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.domain.alarm_limits import PHYSIOLOGICAL, AlarmKind, AlarmLimits
from hms_desktop.domain.alarms import AlarmEngine, AlarmEvent, AlarmTransition
from hms_desktop.domain.readings import DeviceFlag

samples = st.lists(
    st.tuples(
        st.floats(min_value=0.05, max_value=3.0),                        # time step
        st.one_of(st.none(), st.integers(min_value=50, max_value=100)),  # SpO2
        st.one_of(st.none(), st.integers(min_value=25, max_value=220)),  # PR
        st.sampled_from([frozenset(), frozenset(), frozenset(),
                         frozenset({DeviceFlag.FINGER_OUT}), frozenset({DeviceFlag.SENSOR_OFF})]),
    ),
    max_size=120,
)
limits = st.builds(
    AlarmLimits,
    satseconds=st.sampled_from([0, 10, 25, 50, 100]),
    spo2_delay_s=st.sampled_from([0.0, 5.0, 15.0]),
    pr_delay_s=st.sampled_from([0.0, 5.0]),
    clear_after_s=st.sampled_from([0.0, 3.0]),
    technical_delay_s=st.sampled_from([0.0, 5.0]),
    latching=st.booleans(),
    escalate_after_s=st.sampled_from([0.0, 10.0]),
)


def drive(engine: AlarmEngine, stream: list) -> list[AlarmTransition]:  # type: ignore[type-arg]
    t, out = 0.0, []
    for dt, spo2, pr, flags in stream:
        t += dt
        live_before = [a.priority.rank for a in engine.alarms if a.kind in PHYSIOLOGICAL and not a.latched]
        out += engine.feed(t, spo2, pr, flags)
        out += engine.tick(t + 0.01)
        if flags:  # a sensor condition: no live physiological alarm (a latched one may stay)
            assert not any(a.kind in PHYSIOLOGICAL and not a.latched for a in engine.alarms)
            if live_before:  # ... and it handed over: no gap, no lower priority (IEC 60601-1-8)
                top = engine.highest_priority()
                assert top is not None and top.rank >= max(live_before)
    return out


@settings(max_examples=150, deadline=None)
@given(limits, samples)
@pytest.mark.slow
def test_lifecycle_is_well_formed(lim: AlarmLimits, stream: list) -> None:  # type: ignore[type-arg]
    eng = AlarmEngine(lim, source="B")
    trs = drive(eng, stream)
    open_ids: dict[str, AlarmKind] = {}
    last_t = -1.0
    for tr in trs:
        assert tr.at >= last_t
        last_t = tr.at
        if tr.event is AlarmEvent.STARTED:
            assert tr.alarm.kind not in open_ids.values(), "two live alarms of one kind"
            open_ids[tr.alarm.alarm_id] = tr.alarm.kind
        else:
            assert tr.alarm.alarm_id in open_ids, f"{tr.event} without a start"
        if tr.event is AlarmEvent.ENDED:
            del open_ids[tr.alarm.alarm_id]
            assert tr.alarm.ended_at is not None and tr.alarm.ended_at >= tr.alarm.started_at
    assert set(open_ids) == {a.alarm_id for a in eng.alarms}


@settings(max_examples=100, deadline=None)
@given(limits, st.lists(st.tuples(st.floats(0.1, 3.0), st.integers(90, 100), st.integers(50, 120)),
                        max_size=100))
def test_values_inside_the_limits_never_alarm(lim: AlarmLimits, stream: list) -> None:  # type: ignore[type-arg]
    eng = AlarmEngine(lim)
    trs = drive(eng, [(dt, s, p, frozenset()) for dt, s, p in stream])
    assert trs == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 2.0), st.integers(50, 100)), max_size=100),
       st.sampled_from([1.0, 5.0, 15.0]))
def test_delay_mode_spo2_alarm_only_after_a_continuous_violation(stream: list, delay: float) -> None:  # type: ignore[type-arg]
    eng = AlarmEngine(AlarmLimits(satseconds=0, spo2_delay_s=delay))
    t, below_since = 0.0, None
    for dt, spo2 in stream:
        t += dt
        below_since = (below_since if below_since is not None else t) if spo2 < 90 else None
        for tr in eng.feed(t, spo2, 75):
            if tr.event is AlarmEvent.STARTED:
                assert below_since is not None and t - below_since >= delay
                assert tr.alarm.peak is not None and tr.alarm.peak < 90


@settings(max_examples=100, deadline=None)
@given(limits, samples)
@pytest.mark.slow
def test_acknowledge_all_silences_everything(lim: AlarmLimits, stream: list) -> None:  # type: ignore[type-arg]
    eng = AlarmEngine(lim)
    drive(eng, stream)
    eng.acknowledge_all(10_000.0, "nurse")
    assert eng.highest_priority(unacknowledged_only=True) is None
    assert all(not a.latched for a in eng.alarms)
