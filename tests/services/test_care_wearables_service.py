"""WearableService: day files, per-patient reads, all-or-nothing CSV import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hms_desktop.domain.wearables import WearableReading, guess_mapping
from hms_desktop.services.bus import EventBus
from hms_desktop.services.wearables import WearableService, read_csv_preview
from hms_desktop.storage import Store


@pytest.fixture
def svc(data_dir: Path) -> Iterator[WearableService]:
    store = Store(data_dir)
    yield WearableService(store, EventBus())
    store.close()


def test_append_writes_day_files_and_reads_per_patient(svc: WearableService, data_dir: Path) -> None:
    svc.append([
        WearableReading(at=datetime(2026, 11, 24, 23, 0, tzinfo=UTC), patient_id="PAT000001", heart_rate=60),
        WearableReading(at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), patient_id="PAT000002", steps=10),
        WearableReading(at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), patient_id="PAT000001",
                        device_id="ring", spo2=97),
    ])
    assert (data_dir / "wearables" / "2026-11-25.csv").exists()
    got = svc.readings_for("PAT000001", date(2026, 11, 24), date(2026, 11, 25))
    assert [(r.heart_rate, r.spo2, r.device_id) for r in got] == [(60, None, ""), (None, 97, "ring")]
    assert svc.readings_for("PAT000001", date(2026, 11, 25), date(2026, 11, 25))[0].spo2 == 97


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_preview_and_apply(svc: WearableService, tmp_path: Path) -> None:
    f = write(tmp_path / "export.csv",
              "Timestamp,Heart Rate,Steps\n2026-11-25T08:00:00Z,70,100\n2026-11-25T09:00:00Z,72,250\n")
    header, rows = read_csv_preview(f)
    assert header == ["Timestamp", "Heart Rate", "Steps"] and len(rows) == 2
    result = svc.import_csv(f, guess_mapping(header), patient_id="PAT000009", default_device="watch")
    assert result.errors == [] and len(result.readings) == 2
    got = svc.readings_for("PAT000009", date(2026, 11, 25), date(2026, 11, 25))
    assert [(r.heart_rate, r.steps, r.device_id) for r in got] == [(70, 100, "watch"), (72, 250, "watch")]


def test_import_with_a_bad_line_imports_nothing(svc: WearableService, tmp_path: Path) -> None:
    f = write(tmp_path / "export.csv",
              "time,hr\n2026-11-25T08:00:00Z,70\n2026-11-25T09:00:00Z,999\n")
    result = svc.import_csv(f, {"at": 0, "heart_rate": 1}, patient_id="PAT000009")
    assert result.readings == [] and result.errors[0].startswith("line 3:")
    assert svc.readings_for("PAT000009", date(2026, 11, 25), date(2026, 11, 25)) == []


def test_empty_file_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        read_csv_preview(write(tmp_path / "e.csv", ""))


def test_series_for_gives_chart_arrays_with_gaps(svc: WearableService) -> None:
    svc.append([
        WearableReading(at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), patient_id="PAT000001", spo2=97),
        WearableReading(at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), patient_id="PAT000001", heart_rate=61),
        WearableReading(at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), patient_id="PAT000002", heart_rate=99),
    ])
    s = svc.series_for("PAT000001", date(2026, 11, 25), date(2026, 11, 25))
    assert list(s["t"]) == [datetime(2026, 11, 25, h, tzinfo=UTC).timestamp() for h in (1, 2)]
    assert s["heart_rate"][0] == 61 and str(s["heart_rate"][1]) == "nan"
    assert s["spo2"][1] == 97


def test_series_for_with_no_day_files_is_empty(svc: WearableService) -> None:
    s = svc.series_for("PAT000001", date(2026, 1, 1), date(2026, 12, 31))
    assert s["t"].size == 0 and s["heart_rate"].size == 0 and s["device_id"] == []
