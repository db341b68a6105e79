"""What the header says about a patient, from the Patients feature's model."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from hms_desktop.ui.record.header_facts import header_facts


def test_age_from_birth_date_and_unknowns_left_blank() -> None:
    patient = SimpleNamespace(given_name="Ada", family_name="Lovelace", date_of_birth=date(1990, 12, 10),
                              sex=SimpleNamespace(value="unknown"), blood_group="O-")
    facts = header_facts("PAT000042", patient, today=date(2026, 12, 9))
    assert (facts.name, facts.age, facts.sex, facts.blood_group) == ("Ada LOVELACE", "35", "", "O-")
    assert header_facts("PAT000042", patient, today=date(2026, 12, 10)).age == "36"


def test_no_patient_gives_only_the_id() -> None:
    facts = header_facts("PAT000007", None)
    assert facts.patient_id == "PAT000007" and facts.name == "" and facts.age == ""


def test_a_deceased_or_merged_patient_says_so() -> None:
    dead = SimpleNamespace(given_name="Ann", family_name="Lee", date_of_birth=date(1940, 1, 1),
                           status=SimpleNamespace(value="deceased"), deceased_on=date(2026, 1, 5))
    assert header_facts("PAT000003", dead).status == "deceased 2026-01-05"
    merged = SimpleNamespace(given_name="Ann", family_name="Lee", status="merged", merged_into="PAT000009")
    assert header_facts("PAT000004", merged).status == "merged into PAT000009"
    alive = SimpleNamespace(given_name="Ann", family_name="Lee", status="active")
    assert header_facts("PAT000005", alive).status == ""


def test_a_patient_who_died_shows_age_at_death_and_the_date_not_todays_age() -> None:
    """Born 1930, died 2000: the header said "Age 96" (issue 13 item 7)."""
    dead = SimpleNamespace(given_name="Ann", family_name="Lee", date_of_birth=date(1930, 6, 15),
                           status="deceased", deceased_on=date(2000, 6, 14))
    assert header_facts("PAT000003", dead, today=date(2026, 12, 3)).age == "69 at death (2000-06-14)"


def test_infants_in_days_weeks_then_months_until_two() -> None:
    def age(born: date, today: date) -> str:
        return header_facts("PAT1", SimpleNamespace(given_name="B", family_name="C", date_of_birth=born),
                            today=today).age

    born = date(2026, 1, 31)
    assert age(born, born) == "0 days"
    assert age(born, date(2026, 2, 1)) == "1 day"
    assert age(born, date(2026, 2, 6)) == "6 days"
    assert age(born, date(2026, 2, 7)) == "1 week"
    assert age(born, date(2026, 3, 27)) == "7 weeks"  # day 55
    assert age(born, date(2026, 3, 28)) == "1 month"  # day 56: 8 weeks is counted in months
    assert age(born, date(2026, 4, 30)) == "2 months"
    assert age(born, date(2028, 1, 30)) == "23 months"
    assert age(born, date(2028, 1, 31)) == "2"
