"""RecordService on a real Store in a temporary data folder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from hms_desktop.domain.record import (
    Allergy,
    AllergyStatement,
    ClinicalNote,
    Medication,
    Problem,
    Section,
    Visit,
)
from hms_desktop.services.bus import Change, EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.record import RecordError, record_timeline
from hms_desktop.services.timeline import collect_timeline
from hms_desktop.storage import Store

P = "PAT000001"


@pytest.fixture
def env(data_dir: Path):
    store = Store(data_dir, actor="dr.okafor")
    bus = EventBus()
    changes: list[Change] = []
    bus.subscribe(changes.append)
    services = build_services(store, bus)
    yield services, changes, data_dir
    store.close()


def test_add_amend_inactive_keeps_every_version_with_who(env) -> None:
    services, changes, data_dir = env
    record = services.record
    saved = record.add(Section.ALLERGIES, Allergy(patient_id=P, substance="Penicillin", severity="mild"))
    assert saved.id == "ALG000001"
    record.amend(Section.ALLERGIES, saved.id, {"severity": "severe", "reaction": "hives"})
    record.mark_inactive(Section.ALLERGIES, saved.id)
    history = record.history(Section.ALLERGIES, saved.id)
    assert [v.record.severity.value for v in history] == ["mild", "severe", "severe"]
    assert [v.record.status.value for v in history] == ["active", "active", "inactive"]
    assert {v.by for v in history} == {"dr.okafor"}
    assert [c.op for c in changes] == ["insert", "update", "update"]
    assert changes[0] == Change(table="allergies", ids=("ALG000001",), op="insert")
    # still listed (never deleted), and on disk after a restart
    services.store.close()
    store2 = Store(data_dir)
    try:
        again = build_services(store2).record
        rows = again.entries(Section.ALLERGIES, P)
        assert [(r.substance, r.status.value) for r in rows] == [("Penicillin", "inactive")]
        assert again.entries(Section.ALLERGIES, P, include_inactive=False) == []
    finally:
        store2.close()


def test_invalid_amend_writes_nothing(env) -> None:
    services, changes, data_dir = env
    med = services.record.add(Section.MEDICATIONS, Medication(
        patient_id=P, name="Metformin", dose=500, unit="mg", frequency="twice daily", start=date(2024, 1, 1)))
    journal = (data_dir / "medications.journal.csv").read_bytes()
    with pytest.raises(ValidationError, match="Stop: must not be before Start"):
        services.record.amend(Section.MEDICATIONS, med.id, {"stop": date(2023, 1, 1)})
    with pytest.raises(RecordError, match="cannot be changed"):
        services.record.amend(Section.MEDICATIONS, med.id, {"patient_id": "PAT000002"})
    assert (data_dir / "medications.journal.csv").read_bytes() == journal
    assert len(changes) == 1
    assert services.record.amend(Section.MEDICATIONS, med.id, {"dose": 500}) == med  # no-op, no version
    assert len(services.record.history(Section.MEDICATIONS, med.id)) == 1


def test_notes_are_amended_by_a_new_note_never_edited(env) -> None:
    services, _, _ = env
    record = services.record
    note = record.add(Section.NOTES, ClinicalNote(patient_id=P, author="Dr A", text="BP 150/95"))
    with pytest.raises(RecordError, match="amendment"):
        record.amend(Section.NOTES, note.id, {"text": "BP 130/85"})
    amendment = record.amend_note(note.id, "Typo: BP 130/85", author="Dr A")
    assert amendment.amends == note.id
    texts = {n.text for n in record.entries(Section.NOTES, P)}
    assert texts == {"BP 150/95", "Typo: BP 130/85"}
    assert record.get(Section.NOTES, note.id).text == "BP 150/95"


def test_no_known_allergies_statement(env) -> None:
    services, _, _ = env
    record = services.record
    assert record.allergy_banner(P).text == "Allergies not recorded"
    record.set_allergy_statement(P, AllergyStatement.NO_KNOWN_ALLERGIES)
    assert record.allergy_banner(P).text == "No known allergies"
    alg = record.add(Section.ALLERGIES, Allergy(patient_id=P, substance="Latex", severity="moderate"))
    banner = record.allergy_banner(P)
    assert banner.alert and banner.text == "ALLERGIES: Latex (moderate)"
    # the NKA statement was reset: retiring the allergy does not resurrect "no known allergies"
    record.mark_inactive(Section.ALLERGIES, alg.id)
    assert record.allergy_banner(P).text == "Allergies not recorded"
    record.amend(Section.ALLERGIES, alg.id, {"status": "active"})
    with pytest.raises(RecordError, match="Latex"):
        record.set_allergy_statement(P, AllergyStatement.NO_KNOWN_ALLERGIES)


def test_wrong_model_or_preset_id_refused(env) -> None:
    services, _, _ = env
    with pytest.raises(RecordError, match="Allergy"):
        services.record.add(Section.ALLERGIES, Problem(patient_id=P, condition="Asthma"))
    with pytest.raises(RecordError, match="must not carry an ID"):
        services.record.add(Section.PROBLEMS, Problem(id="PRB000009", patient_id=P, condition="Asthma"))


def test_timeline_merges_sections_and_other_sources(env) -> None:
    services, _, _ = env
    record = services.record
    record.add(Section.PROBLEMS, Problem(patient_id=P, condition="Asthma", onset=date(2019, 4, 1)))
    record.add(Section.VISITS, Visit(patient_id=P, doctor="Dr B", diagnosis="Viral URTI",
                                     at=datetime(2025, 1, 2, 10, tzinfo=UTC)))
    record.add(Section.PROBLEMS, Problem(patient_id="PAT000002", condition="Gout"))
    entries = collect_timeline(services, P, [record_timeline]).entries
    assert [(e.kind, e.title) for e in entries] == [("Visit", "Visit with Dr B: Viral URTI"),
                                                    ("Problem", "Asthma")]
    assert entries[1].date_only and not entries[0].date_only
    assert [e.kind for e in collect_timeline(services, P, [record_timeline], kinds=["Problem"]).entries] == ["Problem"]

    from hms_desktop.domain.timeline import TimelineEntry

    def observations(svc, pid):  # another feature's source, listed by the composition root
        return [TimelineEntry(datetime(2026, 1, 1, tzinfo=UTC), "Observation", "NEWS2 3", "", "obs", "OBS1")]

    merged = collect_timeline(services, P, [record_timeline, observations]).entries
    assert [e.kind for e in merged] == ["Observation", "Visit", "Problem"]


def test_a_failing_timeline_source_is_named_not_fatal(env) -> None:
    services, _, _ = env
    services.record.add(Section.PROBLEMS, Problem(patient_id=P, condition="Asthma", onset=date(2019, 4, 1)))

    def broken_source(svc, pid):
        raise RuntimeError("referrals table missing")

    result = collect_timeline(services, P, [broken_source, record_timeline])
    assert [e.title for e in result.entries] == ["Asthma"]
    assert result.failed_sources == [broken_source.__qualname__]


def test_demo_generator_gives_plausible_records(env) -> None:
    import random

    from hms_desktop.services.demo import record as demo

    services, _, _ = env

    from hms_desktop.services.demo import patients as demo_patients

    demo_patients.generate(services, random.Random(3), patients=40, progress=lambda step, f: None)
    assert len(services.patients.ids()) == 40
    steps: list[float] = []
    demo.generate(services, random.Random(3), patients=40, progress=lambda step, f: steps.append(f))
    assert steps[-1] == 1.0
    counts = {s: services.record.count(s) for s in Section}
    assert counts[Section.MEDICATIONS] > 20 and counts[Section.VISITS] > 10
    notes = [n for pid in services.patients.ids() for n in services.record.entries(Section.NOTES, pid)]
    originals = [n for n in notes if not n.amends]
    assert len(originals) == counts[Section.VISITS]  # every demo visit has its note
    by_id = {n.id: n for n in notes}
    amended = [n for n in notes if n.amends]
    assert amended  # the demo shows amended notes (seeded: deterministic)
    for amendment in amended:  # amendments point at a note of the same patient
        assert by_id[amendment.amends].patient_id == amendment.patient_id
    banners = {services.record.allergy_banner(pid).state for pid in services.patients.ids()}
    assert banners == {"allergies", "no_known_allergies", "not_recorded"}


def test_allergy_statement_follows_a_patient_merge(env) -> None:
    """Patients' merge moves every row's patient_id to the survivor (ids stay): the banner
    then says "no known allergies" only if both records said so."""
    services, _, _ = env
    record = services.record
    record.set_allergy_statement("PAT000001", AllergyStatement.NO_KNOWN_ALLERGIES)
    record.set_allergy_statement("PAT000002", AllergyStatement.NO_KNOWN_ALLERGIES)
    statements = services.store.table(next(t.spec for t in services.store.tables()
                                           if t.spec.name == "allergy_statements"))
    statements.update("PAT000002", {"patient_id": "PAT000001"})  # what the merge does
    assert record.allergy_banner("PAT000001").text == "No known allergies"
    statements.update("PAT000002", {"statement": "not_recorded"})
    assert record.allergy_banner("PAT000001").text == "Allergies not recorded"
    record.set_allergy_statement("PAT000001", AllergyStatement.NO_KNOWN_ALLERGIES)
    assert record.allergy_banner("PAT000001").text == "No known allergies"
