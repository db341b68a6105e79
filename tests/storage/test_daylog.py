"""Append-only day files for time series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hms_desktop.storage import Store

from .models import Sample

T0 = datetime(2026, 11, 24, 23, 59, 58, tzinfo=UTC)


def test_rows_land_in_their_day_file_and_read_back_by_time(data_dir: Path) -> None:
    store = Store(data_dir)
    log = store.day_log("vitals", Sample)
    rows = [Sample(at=T0 + timedelta(seconds=s), bed="BED01", spo2=95 + s, comment="=x") for s in range(4)]
    log.append(rows)
    assert sorted(p.name for p in (data_dir / "vitals").iterdir()) == ["2026-11-24.csv", "2026-11-25.csv"]
    assert log.read(T0, T0 + timedelta(seconds=10)) == rows
    assert log.read(T0 + timedelta(seconds=1), T0 + timedelta(seconds=3)) == rows[1:3]
    frame = log.read_frame(T0, T0 + timedelta(seconds=10))
    assert list(frame["spo2"]) == ["95", "96", "97", "98"] and frame["comment"][0] == "=x"
    store.close()


def test_torn_line_in_a_day_file_is_quarantined_and_appends_continue(data_dir: Path) -> None:
    store = Store(data_dir)
    log = store.day_log("vitals", Sample)
    log.append([Sample(at=T0, bed="BED01", spo2=97)])
    store.close()
    path = data_dir / "vitals" / "2026-11-24.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("2026-11-24T23:59:59+00:00,BED0")  # the power went here
    store = Store(data_dir)
    log = store.day_log("vitals", Sample)
    log.append([Sample(at=T0 + timedelta(seconds=1), bed="BED02", spo2=91)])
    got = log.read(T0, T0 + timedelta(seconds=2))
    assert [(r.bed, r.spo2) for r in got] == [("BED01", 97), ("BED02", 91)]
    assert [q.line for q in store.quarantine] == [3]
    assert len(log.read_frame(T0, T0 + timedelta(seconds=2))) == 2
    store.close()


def test_read_frame_can_keep_one_bed_before_parsing_times(data_dir: Path) -> None:
    store = Store(data_dir)
    log = store.day_log("vitals", Sample)
    log.append([Sample(at=T0 + timedelta(seconds=s), bed=f"BED0{s % 2}", spo2=90 + s) for s in range(6)])
    frame = log.read_frame(T0, T0 + timedelta(seconds=10), where={"bed": "BED01"})
    assert list(frame["spo2"]) == ["91", "93", "95"] and set(frame["bed"]) == {"BED01"}
    store.close()
