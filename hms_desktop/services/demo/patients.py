"""Demo patients: 100,000 varied, plausible people in a few seconds.

Names come from many languages (accents, hyphens and apostrophes included) so search and
duplicate detection are exercised on the text a real clinic sees. ``fake_patients`` is pure
(rng in, models out) so tests and benchmarks build populations without a data folder.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hms_desktop.domain.patient import BloodGroup, Patient, Sex

GIVEN_FEMALE = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Zoë Chloé Siobhán "
    "Aoife Niamh Saoirse Ana María Lucía Sofía Inés Camila Valentina Joana Leonor Françoise "
    "Hélène Élodie Amélie Anaïs Léa Maëlle Zoé Greta Anneliese Søs Åsa Ingrid Björk Małgorzata "
    "Agnieszka Zuzana Kateřina Oksana Olena Ayşe Elif Zeynep Fatma Leila Amira Yasmin Aaliyah Priya "
    "Ananya Aisha Fatima Mei Yuki Hana Minh Thảo Ngọc Adaeze Chioma Amara Nia Wanjiru Emily Hannah "
    "Charlotte Eleanor Harriet Maya Sarah Rebecca Rachel Naomi Ruth Esther Abigail Megan Bethan Ffion"
).split()
GIVEN_MALE = (
    "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theo Jack Charlie Freddie "
    "Seán Eoin Ciarán Pádraig José Jesús Álvaro Andrés Martín Nicolás Sebastián João Gonçalo "
    "François Jérôme Benoît Loïc Jürgen Björn Søren Håkon Øystein Łukasz Paweł Wojciech Jiří "
    "Tomáš Mykola Dmytro Mehmet Emre Çağlar Ömer Yusuf Omar Ali Hassan Karim Ravi Arjun Vikram "
    "Rahul Wei Jun Hiroshi Kenji Minh Đức Chinedu Emeka Kwame Kofi Tunde David Daniel James "
    "Thomas William Samuel Joseph Benjamin Matthew Luke Dylan Rhys Gareth Aled Iwan Callum Euan"
).split()
FAMILY = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "O'Brien O'Neill McCarthy Ní_Bhriain Murphy Kelly Byrne García Fernández González Rodríguez "
    "López Martínez Sánchez Pérez Gómez Núñez Muñoz Álvarez Peña Gonçalves Conceição Araújo "
    "Lefèvre Dubois Lemaître Girard Bérénger Müller Schröder Schäfer Weiß Groß Böhm Jäger "
    "Ødegaard Sørensen Håland Åberg Nyström Kowalski Wiśniewski Wójcik Łęcki Dvořák Novák "
    "Procházka Kovalenko Shevchenko Yılmaz Kaya Çelik Şahin Öztürk Khan Hussain Ahmed Ali Begum "
    "Sharma Singh Gupta Iyer Nguyễn Trần Lê Phạm Wang Li Zhang Chen Liu Tanaka Suzuki Sato "
    "Okafor Adeyemi Mensah Owusu Kamau Smith-Jones Lloyd-Davies Ap_Rhys Van_der_Berg De_la_Cruz"
).split()
# Multi-word family names are written with "_" above so the pool splits on spaces.
FAMILY = [f.replace("_", " ") for f in FAMILY]

STREETS = ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
           "Queen's Road", "Rue de la Paix", "Calle Mayor", "Hauptstraße", "Green Lane",
           "Park Avenue", "Ffordd yr Orsaf", "Kingsway", "Manor Close", "Bóthar na Trá")
TOWNS = ("Leeds", "Cardiff", "Bristol", "Manchester", "Belfast", "Glasgow", "Norwich",
         "York", "Swansea", "Derry", "Aberdeen", "Brighton", "Oxford", "Bath", "Exeter")
RELATIONS = ("spouse", "partner", "mother", "father", "daughter", "son", "sister", "brother",
             "friend", "carer")
HISTORY = ("", "", "", "Asthma since childhood.", "Type 2 diabetes, diet controlled.",
           "Hypertension on ramipril.", "Appendectomy 2009.", "COPD; home oxygen assessed 2024.",
           "Penicillin allergy (rash).", "Atrial fibrillation, anticoagulated.", "Migraine.")
# Prefixes whose every 6-digit tail phonenumbers accepts (checked: demo data must validate).
_UK_MOBILE_PREFIXES = ("7400", "7401", "7500", "7501", "7701", "7800", "7801", "7900", "7901",
                       "7447", "7557", "7823", "7712", "7734", "7756", "7789")


def _phone(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.86:  # UK mobile
        return f"+44{rng.choice(_UK_MOBILE_PREFIXES)}{rng.randrange(10**6):06d}"
    if roll < 0.93:  # UK landline: Manchester, London, Glasgow, Liverpool
        return f"+44{rng.choice(('161', '207', '141', '151'))}{rng.randrange(2_000_000, 9_999_999)}"
    if roll < 0.97:  # French mobile
        return f"+3361{rng.randrange(10**7):07d}"
    return ""  # no phone given


def _email(rng: random.Random, given: str, family: str) -> str:
    if rng.random() < 0.25:
        return ""
    local = "".join(ch for ch in f"{given}.{family}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    domain = rng.choice(("example.com", "example.org", "mail.example.net", "example.co.uk"))
    return f"{local or 'patient'}{rng.randrange(100)}@{domain}"


def fake_patient(rng: random.Random, today: date) -> dict[str, Any]:
    """Field values of one plausible person (as a dict, so batch code can skip validation twice)."""
    sex = rng.choices((Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.UNKNOWN), (48, 48, 2, 2))[0]
    given = rng.choice(GIVEN_FEMALE if sex is Sex.FEMALE else GIVEN_MALE)
    if rng.random() < 0.08:
        given = f"{given}-{rng.choice(GIVEN_FEMALE if sex is Sex.FEMALE else GIVEN_MALE)}"
    family = rng.choice(FAMILY)
    # Ages 0-100, weighted towards adults as in a general practice list.
    age_years = rng.gammavariate(2.6, 15.5)
    while age_years >= 100:  # redraw rather than pile the tail up at one age
        age_years = rng.gammavariate(2.6, 15.5)
    born = today - timedelta(days=int(age_years * 365.25))
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "sex": sex,
        "phone": _phone(rng),
        "email": _email(rng, given, family),
        "address": f"{rng.randrange(1, 240)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
        "blood_group": rng.choice(list(BloodGroup)),
        "emergency_name": f"{rng.choice(GIVEN_FEMALE + GIVEN_MALE)} {family}",
        "emergency_relation": rng.choice(RELATIONS),
        "emergency_phone": _phone(rng),
        "medical_history": rng.choice(HISTORY),
        "other_identifier": f"NI{rng.randrange(10**8):08d}" if rng.random() < 0.3 else "",
    }


def fake_patients(rng: random.Random, count: int, today: date | None = None) -> list[Patient]:
    today = today or date.today()
    return [Patient(**fake_patient(rng, today)) for _ in range(count)]


def generate(services: Any, rng: random.Random, *, patients: int,
             progress: Callable[[str, float], None]) -> None:
    """Register ``patients`` demo patients through PatientService in fsync-batched chunks."""
    batch = 5000
    today = date.today()
    done = 0
    while done < patients:
        size = min(batch, patients - done)
        # Numbers come from ranges the number plan accepts (tests/services/test_patients_demo.py).
        services.patients.register_many(fake_patients(rng, size, today), check_phones=False)
        done += size
        progress("patients", done / patients)
