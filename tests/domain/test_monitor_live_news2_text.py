"""What a tile and the bed view say about live NEWS2 (issue 11 item 12): a partial score is
never shown as a bare number, the missing and stale inputs are named, and for a patient under
16 NEWS2 does not apply (RCP 2017: NEWS2 is not validated in children)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hms_desktop.domain.live_news2 import ManualObservation, live_news2

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FULL = dict(respiration_rate=16, systolic_bp=120, temperature=37.0, consciousness="alert",
            on_oxygen=False)


def test_only_spo2_and_pulse_known_reads_as_partial_and_names_what_is_missing() -> None:
    r = live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=None)
    assert r.text == "NEWS2 partial ≥0 — missing RR, air/O2, BP, ACVPU, temp"
    assert "respiration rate, air or oxygen, systolic BP, consciousness, temperature" in r.detail
    assert "at least 0" in r.detail


def test_missing_and_stale_are_both_named() -> None:
    manual = ManualObservation(at=NOW - timedelta(hours=6), respiration_rate=25, systolic_bp=120)
    r = live_news2(now=NOW, live_spo2=95, live_pulse=70, manual=manual)
    assert r.text == "NEWS2 partial ≥4 — missing air/O2, ACVPU, temp; older than 4 h: RR, BP"


def test_complete_and_fresh_is_a_plain_score() -> None:
    manual = ManualObservation(at=NOW - timedelta(minutes=5), **FULL)  # type: ignore[arg-type]
    r = live_news2(now=NOW, live_spo2=97, live_pulse=70, manual=manual)
    assert r.text == "NEWS2 0" and r.detail == ""


@pytest.mark.parametrize(("born", "applies"), [
    (date(2010, 11, 26), False),  # 15 years old, 16 tomorrow
    (date(2010, 11, 25), True),   # 16 today
    (date(2026, 1, 1), False),
    (date(1950, 1, 1), True),
])
def test_under_16_news2_does_not_apply(born: date, applies: bool) -> None:
    manual = ManualObservation(at=NOW - timedelta(minutes=5), born=born, **FULL)  # type: ignore[arg-type]
    r = live_news2(now=NOW, live_spo2=85, live_pulse=150, manual=manual)
    if applies:
        assert r.text.startswith("NEWS2 ") and r.score > 0
    else:
        assert r.text == "NEWS2 does not apply (under 16)" and not r.complete
        assert r.parts == {}  # no score is computed, so none can be shown
