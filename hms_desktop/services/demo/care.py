"""Demo care data: observations, chronic programme, referrals, wearable readings.

Patients are addressed by the documented ID scheme (``PAT`` + 6 digits, allocated from 1
upwards), so this runs after the patients generator without reaching into its table.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hms_desktop.domain.chronic import ChronicReading, Enrolment
from hms_desktop.domain.news2 import Consciousness
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.referrals import Referral, ReferralStatus, Urgency, advance
from hms_desktop.domain.wearables import WearableReading
from hms_desktop.services.container import Services
from hms_desktop.services.demo import Progress

DOCTORS = ("Dr Amara Okafor", "Dr Lukas Meyer", "Dr Priya Nair", "Dr Sofia Rossi")
DISEASES = ("Type 2 diabetes", "Hypertension", "COPD", "Asthma", "Chronic kidney disease")
REASONS = ("Persistent chest pain on exertion", "Recurrent headaches", "Suspicious skin lesion",
           "Poorly controlled glucose", "Knee pain after fall", "Abnormal liver tests")
BATCH = 5_000


def _pid(n: int) -> str:
    return f"PAT{n:06d}"


def _observation(rng: random.Random, pid: str, at: datetime, unwell: bool) -> Observation:
    shift = 1 if unwell else 0
    systolic = rng.randint(105, 145) - shift * rng.randint(0, 25)
    return Observation(
        patient_id=pid, at=at,
        respiration_rate=rng.randint(12, 20) + shift * rng.randint(0, 8),
        spo2=rng.randint(95, 99) - shift * rng.randint(0, 6),
        on_oxygen=unwell and rng.random() < 0.3,
        systolic=systolic,
        diastolic=min(systolic - 20, rng.randint(60, 85) - shift * rng.randint(0, 10)),
        pulse=rng.randint(58, 92) + shift * rng.randint(0, 40),
        consciousness=Consciousness.CONFUSION if unwell and rng.random() < 0.1 else Consciousness.ALERT,
        temperature=round(rng.uniform(36.2, 37.6) + shift * rng.uniform(0, 1.6), 1),
        weight_kg=round(rng.uniform(50, 110), 1) if rng.random() < 0.3 else None,
        recorded_by=rng.choice(DOCTORS),
    )


def _observations(services: Services, rng: random.Random, patients: int, now: datetime) -> None:
    batch: list[Observation] = []
    for n in range(1, patients + 1, 10):  # every tenth patient has observations
        unwell = rng.random() < 0.15
        for k in range(rng.randint(2, 6)):
            at = now - timedelta(days=rng.randint(0, 365), hours=k, minutes=rng.randint(0, 59))
            batch.append(_observation(rng, _pid(n), at.replace(microsecond=0), unwell))
        if len(batch) >= BATCH:
            services.observations.record_many(batch)
            batch = []
    services.observations.record_many(batch)


def _chronic(services: Services, rng: random.Random, patients: int, today: date) -> None:
    enrolments: list[Enrolment] = []
    readings: list[ChronicReading] = []
    for n in range(3, patients + 1, 25):
        pid = _pid(n)
        diseases = rng.sample(DISEASES, rng.randint(1, 2))
        freq = rng.choice((7, 14, 30))
        start = today - timedelta(days=rng.randint(60, 400))
        enrolments.append(Enrolment(
            patient_id=pid, diseases=diseases, frequency_days=freq, enrolled_on=start,
            assigned_doctor=rng.choice(DOCTORS), lifestyle_notes="Walk 30 minutes a day",
            target_systolic_max=140, target_diastolic_max=90, target_glucose_min=4.0,
            target_glucose_max=7.0, target_weight_max=round(rng.uniform(70, 95))))
        day = start
        # Some patients stop sending readings: the overdue list has something to show.
        stop = today - timedelta(days=rng.choice((0, 0, 0, 20, 60)))
        while day < stop:
            readings.append(ChronicReading(
                patient_id=pid, at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8),
                glucose_mmol_l=round(rng.uniform(4.5, 10.5), 1),
                systolic=(s := rng.randint(115, 165)), diastolic=min(s - 30, rng.randint(70, 100)),
                weight_kg=round(rng.uniform(70, 100), 1)))
            day += timedelta(days=freq + rng.randint(-1, 2))
    services.chronic.enrol_many(enrolments)
    for i in range(0, len(readings), BATCH):
        services.chronic.add_readings(readings[i:i + BATCH])


def _referrals(services: Services, rng: random.Random, patients: int, today: date) -> None:
    departments = [d.name for d in services.referrals.departments() if d.name != "General Medicine"]
    refs: list[Referral] = []
    steps = (ReferralStatus.SENT, ReferralStatus.BOOKED, ReferralStatus.SEEN,
             ReferralStatus.REPORT_RECEIVED)
    for n in range(5, patients + 1, 40):
        created = today - timedelta(days=rng.randint(0, 120))
        ref = Referral(patient_id=_pid(n), from_department="General Medicine",
                       to_department=rng.choice(departments), reason=rng.choice(REASONS),
                       urgency=rng.choice(list(Urgency)), referred_by=rng.choice(DOCTORS),
                       created_on=created)
        on = created
        for step in steps[: rng.randint(0, len(steps))]:
            on = min(today, on + timedelta(days=rng.randint(1, 20)))
            ref = advance(ref, step, on, appointment_on=min(today + timedelta(days=30),
                                                           on + timedelta(days=rng.randint(3, 30))))
            if step is ReferralStatus.BOOKED and ref.appointment_on:
                on = max(on, min(today, ref.appointment_on))
        if rng.random() < 0.05 and ref.status not in (ReferralStatus.REPORT_RECEIVED,):
            ref = advance(ref, ReferralStatus.CANCELLED, on, cancel_reason="patient declined")
        refs.append(ref)
    services.referrals.create_many(refs)


def _wearables(services: Services, rng: random.Random, patients: int, now: datetime) -> None:
    for n in range(1, min(patients, 200) + 1, 20):
        pid = _pid(n)
        rows = []
        for h in range(14 * 24):  # two weeks, hourly
            at = (now - timedelta(hours=h)).replace(minute=0, second=0, microsecond=0)
            rows.append(WearableReading(
                at=at, patient_id=pid, device_id=f"W-{n:04d}",
                heart_rate=rng.randint(55, 95), spo2=rng.randint(94, 99),
                steps=rng.randint(0, 900) if 7 <= at.hour <= 22 else 0))
        services.wearables.append(rows)


def generate(services: Services, rng: random.Random, *, patients: int, progress: Progress) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    progress("care: observations", 0.0)
    _observations(services, rng, patients, now)
    progress("care: chronic programme", 0.4)
    _chronic(services, rng, patients, today)
    progress("care: referrals", 0.7)
    _referrals(services, rng, patients, today)
    progress("care: wearables", 0.85)
    _wearables(services, rng, patients, now)
    progress("care", 1.0)
