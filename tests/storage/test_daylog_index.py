"""One patient's rows of the day files, read through the per-patient index.

The oracle is the ordinary read of every row of every file, filtered afterwards: whatever
happened to the index (never written, deleted, cut short, garbage, another day's), the
answer must be the same, and the app puts a correct index back.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hms_desktop.domain.wearables import WearableReading
from hms_desktop.services.data_check import check_data
from hms_desktop.storage import Store
from hms_desktop.storage.daylog_index import DayIndex, index_notes, index_path

T0 = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
PATIENTS = [f"PAT{n:06d}" for n in range(1, 6)]
# Text that needs quoting or escaping in CSV: the index must keep whole records together.
DEVICES = ["W1", "=HYPERLINK(x)", "band, left wrist", 'say "hi"', "two\nlines", "Zoë's ring"]


def fill(data_dir: Path, days: int = 4) -> None:
    store = Store(data_dir)
    log = store.day_log("wearables", WearableReading)
    for step in range(days * 12):  # every two hours, a batch from every patient
        at = T0 + timedelta(hours=2 * step)
        log.append([WearableReading(at=at + timedelta(seconds=n), patient_id=pid, device_id=DEVICES[(step + n) % 6],
                                    heart_rate=50 + (step + n) % 90, spo2=None if n == 2 else 90 + n)
                    for n, pid in enumerate(PATIENTS)])
    store.close()


def read(data_dir: Path, pid: str, *, read_only: bool = False) -> pd.DataFrame:
    store = Store(data_dir, read_only=read_only)
    try:
        frame = store.day_log("wearables", WearableReading).read_frame(T0, T0 + timedelta(days=10),
                                                                       where={"patient_id": pid})
        return frame.sort_values(["at_utc", "device_id"]).reset_index(drop=True)
    finally:
        store.close()


def every_row_filtered(data_dir: Path, pid: str) -> pd.DataFrame:
    store = Store(data_dir, read_only=True)
    try:
        frame = store.day_log("wearables", WearableReading).read_frame(T0, T0 + timedelta(days=10))
        frame = frame[frame["patient_id"] == pid]
        return frame.sort_values(["at_utc", "device_id"]).reset_index(drop=True)
    finally:
        store.close()


def day_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "wearables").glob("*.csv"))


def test_one_patients_rows_come_from_the_index_and_equal_an_ordinary_read(data_dir: Path) -> None:
    fill(data_dir)
    assert all(index_path(p).exists() for p in day_files(data_dir))  # written by the app's writer
    for pid in PATIENTS:
        got = read(data_dir, pid)
        assert len(got) == 48
        pd.testing.assert_frame_equal(got, every_row_filtered(data_dir, pid))
    assert set(read(data_dir, "PAT000002")["device_id"]) == set(DEVICES)
    assert read(data_dir, "PAT999999").empty
    assert index_notes(data_dir / "wearables", WearableReading) == []


DAMAGE: dict[str, Callable[[Path], None]] = {
    "deleted": lambda idx: idx.unlink(),
    "emptied": lambda idx: idx.write_bytes(b""),
    "cut mid-entry": lambda idx: idx.write_bytes(idx.read_bytes()[:-7]),
    "cut to half": lambda idx: idx.write_bytes(idx.read_bytes()[: len(idx.read_bytes()) // 2]),
    "garbage": lambda idx: idx.write_bytes(b"\x00\xff" * 300),
    "another day's": lambda idx: shutil.copyfile(sorted(idx.parent.glob("*.idx"))[0], idx),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.slow
def test_a_missing_or_damaged_index_gives_the_same_rows_and_is_rebuilt(data_dir: Path, damage: str) -> None:
    fill(data_dir)
    for path in day_files(data_dir)[1:]:
        DAMAGE[damage](index_path(path))
    report = check_data(data_dir)
    assert any("patient index" in note for note in report.notes), report.notes  # check reports...
    assert all(not index_path(p).exists() for p in day_files(data_dir)[1:]) or damage != "deleted"  # ...only
    for pid in PATIENTS:
        pd.testing.assert_frame_equal(read(data_dir, pid), every_row_filtered(data_dir, pid))
    assert not any("patient index" in note for note in check_data(data_dir).notes)  # the app rebuilt it


@pytest.mark.parametrize("lost", [20 * 7, 13])  # whole entries, or the last one torn
def test_appends_after_a_lost_index_write_are_indexed_on_the_next_append(data_dir: Path, lost: int) -> None:
    fill(data_dir, days=1)
    path = day_files(data_dir)[0]
    index_path(path).write_bytes(index_path(path).read_bytes()[:-lost])  # the last entries were lost
    store = Store(data_dir)
    store.day_log("wearables", WearableReading).append(
        [WearableReading(at=T0 + timedelta(minutes=1), patient_id="PAT000003", heart_rate=77)])
    store.close()
    got = read(data_dir, "PAT000003")
    pd.testing.assert_frame_equal(got, every_row_filtered(data_dir, "PAT000003"))
    assert "77" in set(got["heart_rate"])


def test_a_read_only_window_reads_without_an_index_and_writes_none(data_dir: Path) -> None:
    fill(data_dir, days=2)
    shutil.rmtree(data_dir / "wearables" / ".index")
    got = read(data_dir, "PAT000004", read_only=True)
    pd.testing.assert_frame_equal(got, every_row_filtered(data_dir, "PAT000004"))
    assert not (data_dir / "wearables" / ".index").exists()


def test_a_torn_line_of_the_patient_is_quarantined_and_the_rest_read(data_dir: Path) -> None:
    fill(data_dir, days=1)
    path = day_files(data_dir)[-1]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("2026-11-21T19:30:00+00:00,PAT000001,W")  # the power went here
    store = Store(data_dir)  # the app restarts and goes on appending to that file
    store.day_log("wearables", WearableReading).append(
        [WearableReading(at=T0 + timedelta(hours=21), patient_id="PAT000001", heart_rate=66)])
    frame = store.day_log("wearables", WearableReading).read_frame(T0, T0 + timedelta(days=2),
                                                                   where={"patient_id": "PAT000001"})
    assert len(frame) == 13 and "66" in set(frame["heart_rate"])
    assert [q.file for q in store.quarantine] == [f"wearables/{path.name}"]
    store.close()


def test_the_wearable_chart_series_read_by_the_index_equals_the_ordinary_read(data_dir: Path) -> None:
    from hms_desktop.services.container import build_services

    fill(data_dir)
    for pid in ("PAT000002", "PAT000003"):
        expected = every_row_filtered(data_dir, pid)
        for read_only in (False, True):
            store = Store(data_dir, read_only=read_only)
            try:
                s = build_services(store).wearables.series_for(pid, T0.date(), T0.date() + timedelta(days=5),
                                                                ("heart_rate", "spo2"))
            finally:
                store.close()
            assert list(s["t"]) == [t.timestamp() for t in expected["at_utc"]]
            assert s["device_id"] == list(expected["device_id"])
            assert list(s["heart_rate"]) == [float(v) for v in expected["heart_rate"]]
            assert [str(v) for v in s["spo2"]] == [str(float(v)) if v else "nan" for v in expected["spo2"]]
        shutil.rmtree(data_dir / "wearables" / ".index")  # the second patient: read without one


def test_an_index_that_cannot_be_written_loses_no_reading(data_dir: Path) -> None:
    (data_dir / "wearables").mkdir(parents=True)
    (data_dir / "wearables" / ".index").write_text("a file where the index folder should be")
    fill(data_dir, days=1)  # every append is saved although its index cannot be
    for pid in PATIENTS:
        got = read(data_dir, pid)
        assert len(got) == 12
        pd.testing.assert_frame_equal(got, every_row_filtered(data_dir, pid))


@pytest.mark.slow
def test_the_fast_rebuild_finds_the_same_lines_and_keys_as_reading_line_by_line() -> None:
    """Rebuilding in C (text without quotes) against the line-by-line scan, on random lines
    of 0-5 cells, the key in any column, with and without a torn last line."""
    import zlib

    import numpy as np

    from hms_desktop.storage import daylog_index

    rng = random.Random(3)
    for _ in range(200):
        lines = [",".join("".join(rng.choice("abé12") for _ in range(rng.randint(0, 6)))
                          for _ in range(rng.randint(0, 5))) + "\n" for _ in range(rng.randint(1, 400))]
        data = "".join(lines).encode() + rng.choice([b"", b"torn,ta"])
        for key_at in (0, 1, 2):
            fast = daylog_index._scan_unquoted(data, 100, key_at)
            offsets = np.cumsum([0] + [len(line.encode()) for line in lines])[:-1] + 100
            assert fast["offset"].tolist() == offsets.tolist()
            assert fast["length"].tolist() == [len(line.encode()) for line in lines]
            assert fast["key"].tolist() == [daylog_index.key_hash(daylog_index._key_of(line.encode(), key_at))
                                            for line in lines]
            assert fast["crc"][-1] == zlib.crc32(lines[-1].encode())


def test_a_rebuilt_index_of_plain_files_gives_the_same_rows(data_dir: Path) -> None:
    store = Store(data_dir)
    log = store.day_log("wearables", WearableReading)
    log.append([WearableReading(at=T0 + timedelta(minutes=m), patient_id=PATIENTS[m % 5], device_id=f"W{m % 5}",
                                heart_rate=60 + m % 50) for m in range(1500)])  # files large enough for C
    store.close()
    expected = {pid: every_row_filtered(data_dir, pid) for pid in PATIENTS}
    shutil.rmtree(data_dir / "wearables" / ".index")
    for pid in PATIENTS:
        pd.testing.assert_frame_equal(read(data_dir, pid), expected[pid])
    assert index_notes(data_dir / "wearables", WearableReading) == []


# Plain cells (no quote: read column-wise in numpy) with the forms the app writes: times with
# and without microseconds, decimals, empty values, formula-escaped and non-ASCII device names.
PLAIN_DEVICES = ["W1", "=cmd", "'quoted", "Zoë's ring", "", "-band"]
HAND_EDITS: dict[str, tuple[bytes, bytes]] = {
    "none": (b"", b""),
    "a value with an exponent": (b",PAT000002,W1,51,", b",PAT000002,W1,5.1e1,"),
    "a value changed, same length": (b",PAT000002,W1,51,", b",PAT000002,W1,52,"),
    "a time typed another way": (b".000250+00:00,PAT000002", b".000250Z,PAT000002"),
    "a line cut short": (b",PAT000002,W1,51,", b",PAT000002,W1\n"),
    "a carriage return typed in": (b",PAT000002,W1,51,", b",PAT000002,W1,51\r,"),
    "text typed over a number": (b",PAT000002,W1,51,", b",PAT000002,W1,abc,"),
}


def fill_plain(data_dir: Path) -> None:
    store = Store(data_dir)
    log = store.day_log("wearables", WearableReading)
    for step in range(60):
        at = T0 + timedelta(minutes=47 * step, microseconds=250 * (step % 3))
        log.append([WearableReading(at=at + timedelta(seconds=n), patient_id=pid,
                                    device_id=PLAIN_DEVICES[(step // 7 + n - 1) % 6],
                                    heart_rate=50 + (step + n) % 90, spo2=None if step % 4 == 1 else 90 + n,
                                    glucose_mmol_l=(None, 5.55, 12.0, 0.6)[step % 4],
                                    temperature_c=36.6 if n == 1 else None)
                    for n, pid in enumerate(PATIENTS)])
    store.close()


@pytest.mark.parametrize("edit", sorted(HAND_EDITS))
def test_the_chart_series_of_plain_lines_equals_the_ordinary_read_after_a_hand_edit(
        data_dir: Path, edit: str) -> None:
    from hms_desktop.services.container import build_services

    fill_plain(data_dir)
    old, new = HAND_EDITS[edit]
    for path in day_files(data_dir):
        text = path.read_bytes()
        path.write_bytes(text.replace(old, new, 1) if old else text)
    expected = every_row_filtered(data_dir, "PAT000002")
    fields = ("heart_rate", "spo2", "glucose_mmol_l", "temperature_c")
    store = Store(data_dir)
    try:
        s = build_services(store).wearables.series_for("PAT000002", T0.date(), T0.date() + timedelta(days=3), fields)
    finally:
        store.close()
    assert len(expected) >= 59
    assert list(s["t"]) == [t.timestamp() for t in expected["at_utc"]]
    assert s["device_id"] == list(expected["device_id"])
    for field in fields:
        assert [str(v) for v in s[field]] == [str(float(v)) if v else "nan" for v in expected[field]], field
    if edit == "none":  # the files as the app writes them are read column-wise, not the slow way
        fast = DayIndex.for_model(WearableReading, read_only=True)
        assert fast is not None
        got = fast.series(day_files(data_dir), "PAT000002", numbers=fields, text=("device_id",))
        assert got is not None and list(got["t"]) == list(s["t"]) and got["device_id"] == s["device_id"]


def test_a_patient_whose_id_shares_the_index_hash_does_not_lend_their_readings(data_dir: Path) -> None:
    from hms_desktop.services.container import build_services
    from hms_desktop.storage.daylog_index import key_hash

    one, other = "PATBSVB72", "PATV7B0FV"
    assert key_hash(one) == key_hash(other)  # the index cannot tell them apart
    store = Store(data_dir)
    try:
        services = build_services(store)
        services.wearables.append([WearableReading(at=T0 + timedelta(minutes=m), patient_id=(one, other)[m % 2],
                                                   heart_rate=60 + m) for m in range(40)])
        s = services.wearables.series_for(one, T0.date(), T0.date() + timedelta(days=1), ("heart_rate",))
    finally:
        store.close()
    assert list(s["heart_rate"]) == [float(60 + m) for m in range(0, 40, 2)]


def test_an_index_pointing_into_the_middle_of_lines_is_not_believed(data_dir: Path) -> None:
    import numpy as np

    from hms_desktop.services.container import build_services
    from hms_desktop.storage.daylog_index import ENTRY, MAGIC

    fill_plain(data_dir)
    expected = every_row_filtered(data_dir, "PAT000003")
    for path in day_files(data_dir):  # every entry shifted by 3 bytes; the last still checks out
        entries = np.frombuffer(index_path(path).read_bytes()[len(MAGIC):], dtype=ENTRY).copy()
        entries["offset"][:-1] += 3
        index_path(path).write_bytes(MAGIC + entries.tobytes())
    store = Store(data_dir, read_only=True)
    try:
        s = build_services(store).wearables.series_for("PAT000003", T0.date(), T0.date() + timedelta(days=2),
                                                       ("heart_rate",))
    finally:
        store.close()
    assert list(s["t"]) == [t.timestamp() for t in expected["at_utc"]]
    assert list(s["heart_rate"]) == [float(v) for v in expected["heart_rate"]]


def test_files_read_over_several_buffers_give_the_same_series(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hms_desktop.storage import daylog_index

    fill_plain(data_dir)
    index = DayIndex.for_model(WearableReading, read_only=True)
    assert index is not None
    fields = ("heart_rate", "glucose_mmol_l")
    whole = index.series(day_files(data_dir), "PAT000004", numbers=fields, text=("device_id",))
    monkeypatch.setattr(daylog_index._Batch, "SIZE", 100)  # a file a bufferful, and a fresh buffer each
    pieces = index.series(day_files(data_dir), "PAT000004", numbers=fields, text=("device_id",))
    assert whole is not None and pieces is not None and len(whole["t"]) == 60
    assert list(pieces["t"]) == list(whole["t"]) and pieces["device_id"] == whole["device_id"]
    assert [str(v) for v in pieces["glucose_mmol_l"]] == [str(v) for v in whole["glucose_mmol_l"]]


def test_text_typed_over_a_number_is_named_in_the_quarantine_and_the_rest_charted(data_dir: Path) -> None:
    """A spreadsheet edit put "abc" where a heart rate was: the chart shows every other reading,
    and the line is listed with its file, line and field, not charted as nothing or a crash."""
    from hms_desktop.services.container import build_services

    fill_plain(data_dir)
    first = day_files(data_dir)[0]
    first.write_bytes(first.read_bytes().replace(b",PAT000002,W1,51,", b",PAT000002,W1,abc,", 1))
    store = Store(data_dir)
    try:
        s = build_services(store).wearables.series_for("PAT000002", T0.date(), T0.date() + timedelta(days=3),
                                                       ("heart_rate",))
        problems = [(q.file, q.reason) for q in store.quarantine]
    finally:
        store.close()
    assert len(s["t"]) == 59 and "abc" not in map(str, s["heart_rate"])
    assert [file for file, _ in problems] == [f"wearables/{first.name}"]
    assert "edited" in problems[0][1]  # its checksum no longer matches: the reason says so
