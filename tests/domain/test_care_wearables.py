"""Wearable CSV import: guessed mapping, line-numbered errors, zone handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from hms_desktop.domain.wearables import WearableReading, guess_mapping, parse_rows


def test_guess_mapping_from_common_headers() -> None:
    m = guess_mapping(["Timestamp", "Device ID", "Heart Rate (bpm)", "SpO2", "Step Count", "Notes"])
    assert m["at"] == 0 and m["device_id"] == 1 and m["heart_rate"] == 2
    assert m["spo2"] == 3 and m["steps"] == 4
    assert m["glucose_mmol_l"] is None and m["temperature_c"] is None


def test_parse_rows_builds_readings() -> None:
    rows = [["2026-11-25T08:00:00Z", "W1", "72", "97", "120"],
            ["2026-11-25T08:05:00+01:00", "", "75", "", "300"]]
    m = guess_mapping(["time", "device", "hr", "spo2", "steps"])
    result = parse_rows(rows, m, patient_id="PAT000001", default_device="import")
    assert result.errors == []
    a, b = result.readings
    assert a.at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC) and a.device_id == "W1"
    assert a.heart_rate == 72 and a.spo2 == 97 and a.steps == 120
    assert b.device_id == "import" and b.spo2 is None
    assert b.at == datetime(2026, 11, 25, 7, 5, tzinfo=UTC)


def test_naive_times_use_the_clinic_zone() -> None:
    zone = timezone(timedelta(hours=2))
    result = parse_rows([["2026-11-25 10:00", "70"]], {"at": 0, "heart_rate": 1},
                        patient_id="PAT000001", local=zone)
    assert result.readings[0].at.astimezone(UTC) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_bad_lines_reported_with_their_line_number() -> None:
    rows = [["2026-11-25T08:00:00Z", "72"], ["yesterday", "70"], ["2026-11-25T08:10:00Z", "400"],
            ["", ""], ["2026-11-25T08:20:00Z", "abc"]]
    result = parse_rows(rows, {"at": 0, "heart_rate": 1}, patient_id="PAT000001")
    assert len(result.readings) == 1
    assert result.errors[0].startswith("line 3:") and "yesterday" in result.errors[0]
    assert result.errors[1].startswith("line 4:") and "Pulse 400 /min is impossible" in result.errors[1]
    assert result.errors[2].startswith("line 6:") and "heart_rate" in result.errors[2]
    assert len(result.errors) == 3


def test_unmapped_time_or_values_refused() -> None:
    assert parse_rows([["x"]], {"at": None, "heart_rate": 0}, patient_id="P").errors == [
        "the time column is not mapped"]
    assert parse_rows([["x"]], {"at": 0}, patient_id="P").errors == ["no value column is mapped"]


def test_reading_needs_a_value() -> None:
    with pytest.raises(ValidationError, match="no value"):
        WearableReading(at=datetime(2026, 1, 1, tzinfo=UTC), patient_id="PAT000001")
    with pytest.raises(ValidationError, match="negative"):
        WearableReading(at=datetime(2026, 1, 1, tzinfo=UTC), patient_id="PAT000001", steps=-1)


def test_guess_mapping_accepts_units_after_names_and_uses_a_column_once() -> None:
    m = guess_mapping(["Date", "Pulse (bpm)", "Temperature C", "Time"])
    assert m["at"] == 0 and m["heart_rate"] == 1 and m["temperature_c"] == 2
    assert 3 not in m.values()  # "Time" is not given to a second field


def test_device_frames_become_wearable_readings() -> None:
    from hms_desktop.domain.readings import Reading
    from hms_desktop.domain.wearables import from_device

    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    watch = from_device(Reading(heart_rate=72, steps=10), patient_id="PAT000001",
                        device_id="W1", at=at)
    assert watch is not None and (watch.heart_rate, watch.steps, watch.device_id) == (72, 10, "W1")
    oxi = from_device(Reading(spo2=97, pulse_rate=64), patient_id="PAT000001", device_id="O", at=at)
    assert oxi is not None and (oxi.spo2, oxi.heart_rate) == (97, 64)
    assert from_device(Reading(pleth=(0.1, 0.2)), patient_id="PAT000001", device_id="O", at=at) is None
    with pytest.raises(ValidationError, match="SpO2 127 %"):
        from_device(Reading(spo2=127), patient_id="PAT000001", device_id="O", at=at)
