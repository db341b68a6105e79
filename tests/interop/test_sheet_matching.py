"""The import's batch duplicate check finds exactly what the registration check finds
(``PatientIndex.duplicates``, the brute-force oracle here) for people typed with mistakes."""

from __future__ import annotations

import random
from datetime import date

import pytest

from hms_desktop.domain.duplicates import Identity
from hms_desktop.interop.sheet_matching import ExistingPatients
from hms_desktop.services.session import Session
from tests.domain.test_patients_duplicates import variant


@pytest.mark.slow
def test_same_matches_as_the_registration_check(demo_session: Session) -> None:
    services = demo_session.services
    existing = ExistingPatients(services)
    rng = random.Random(11)
    people = services.patients.table.all()
    probes = [variant(rng, Identity(p.given_name, p.family_name, p.date_of_birth, p.phone))
              for p in people for _ in range(5)]
    # strangers sharing only a date of birth or a phone with someone
    probes += [Identity("Zebulon", "Quartermaine", p.date_of_birth, "") for p in people]
    probes += [Identity("Zebulon", "Quartermaine", date(1970, 1, 1), p.phone) for p in people]
    found_any = 0
    for probe in probes:
        expected = [(m.id, m.score) for m in services.patients.duplicates(probe, limit=10_000)]
        got = [(m.id, m.score) for m in existing.matches(probe)]
        assert sorted(got) == sorted(expected), probe
        found_any += bool(got)
    assert found_any > len(people) * 3  # most variants are caught: the check is not vacuous


def test_age_only_rows_match_by_name_and_age(demo_session: Session) -> None:
    services = demo_session.services
    person = services.patients.table.all()[0]
    today = date(2026, 12, 3)
    from hms_desktop.domain.patient import age_on

    age = age_on(person.date_of_birth, today)
    probe = Identity(person.given_name, person.family_name, None, "")
    existing = ExistingPatients(services)
    assert person.id in [m.id for m in existing.matches(probe, age=age, today=today)]
    assert person.id not in [m.id for m in existing.matches(probe, age=age + 5, today=today)]
