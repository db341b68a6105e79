"""``Table.where``'s index answers exactly as a dict of IDs per value kept by every write
would, whatever the values (ASCII or not, empty, long, holding NUL) and the writes after it
was built."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hms_desktop.storage.value_index import ValueIndex

VALUES = st.sampled_from(["PAT000001", "PAT000002", "PAT00000", "PAT0000011", "", "Zoë", "x" * 70,
                          "a\0", "a", "PAT000001 ", "b"])


def reference(ids: list[str], values: list[str]) -> dict[str, dict[str, None]]:
    index: dict[str, dict[str, None]] = {}
    for record_id, value in zip(ids, values, strict=True):
        index.setdefault(value, {})[record_id] = None
    return index


@settings(max_examples=300, deadline=None)
@given(values=st.lists(VALUES, max_size=30),
       writes=st.lists(st.tuples(st.integers(0, 40), VALUES), max_size=30))
def test_lookups_after_any_writes_match_a_dict_kept_by_every_write(
        values: list[str], writes: list[tuple[int, str]]) -> None:
    ids = [f"R{i:03d}" for i in range(len(values))]
    index, expected = ValueIndex(ids, values), reference(ids, values)
    current = dict(zip(ids, values, strict=True))
    for number, value in writes:  # an update of a record, or a new one
        record_id = f"R{number:03d}"
        old = current.get(record_id)
        if old is not None:
            expected[old].pop(record_id)
        expected.setdefault(value, {})[record_id] = None
        index.move(record_id, old, value)
        current[record_id] = value
    for value in {*values, *(v for _, v in writes), "PAT", "zzz", "PAT0000012"}:
        assert index.get(value) == list(expected.get(value, {})), value


def test_a_large_column_of_patient_ids_finds_each_patients_rows_in_written_order() -> None:
    ids = [f"MED{i:06d}" for i in range(50_000)]
    values = [f"PAT{(i * 7919) % 10_000 + 1:06d}" for i in range(50_000)]
    index = ValueIndex(ids, values)
    assert index.get("PAT000001") == [ids[i] for i, v in enumerate(values) if v == "PAT000001"]
    assert index.get("PAT010001") == [] and index.get("PAT00000") == []
