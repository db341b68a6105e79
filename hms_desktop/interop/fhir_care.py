"""FHIR R4 resources for care, monitoring, referrals and scheduling (plain dicts).

Observations follow the vital-signs profile: one Observation per measurement, category
``vital-signs``, LOINC code, UCUM unit; blood pressure is a panel with systolic and
diastolic components. NEWS2 is its own Observation: the total as ``valueInteger``, each
parameter's points as a component, the risk band as the interpretation, ``derivedFrom`` the
measurements it was scored from. Device SpO2 and pulse are one Observation per minute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hms_desktop.domain.chronic import ChronicReading
from hms_desktop.domain.observations import Observation
from hms_desktop.domain.referrals import Referral, ReferralStatus
from hms_desktop.domain.scheduling import Appointment, Availability, Provider, Room

from . import fhir_codes as fc
from .fhir_record import Resource, instant, record_identifier, ref, text_attachment

VITAL_SIGNS = [fc.concept(fc.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]
_SIMPLE_VITALS = ("respiration_rate", "spo2", "pulse", "temperature", "weight_kg")


def _vital_code(field: str) -> dict[str, Any]:
    vital = fc.VITALS[field]
    codings = [fc.coding(fc.LOINC, vital.loinc, vital.display)]
    if field == "spo2":
        codings.append(fc.coding(fc.LOINC, *fc.SPO2_GENERIC))
    return {"coding": codings, "text": vital.display}


def _measurement(res_id: str, patient_id: str, at: datetime, field: str, value: float,
                 category: list[dict[str, Any]] | None = None) -> Resource:
    return {
        "resourceType": "Observation", "id": res_id, "status": "final",
        "category": category or VITAL_SIGNS, "code": _vital_code(field),
        "subject": ref("Patient", patient_id), "effectiveDateTime": instant(at),
        "valueQuantity": fc.quantity(value, fc.VITALS[field]),
    }


def _blood_pressure(res_id: str, patient_id: str, at: datetime, systolic: int,
                    diastolic: int | None) -> Resource:
    components = [{"code": _vital_code("systolic"),
                   "valueQuantity": fc.quantity(systolic, fc.VITALS["systolic"])}]
    if diastolic is not None:
        components.append({"code": _vital_code("diastolic"),
                           "valueQuantity": fc.quantity(diastolic, fc.VITALS["diastolic"])})
    return {
        "resourceType": "Observation", "id": res_id, "status": "final", "category": VITAL_SIGNS,
        "code": fc.concept(fc.LOINC, *fc.BLOOD_PRESSURE_PANEL, text="Blood pressure"),
        "subject": ref("Patient", patient_id), "effectiveDateTime": instant(at),
        "component": components,
    }


def observation_resources(o: Observation) -> list[Resource]:
    """One set of vitals: a resource per measurement, the BP panel, and NEWS2 when complete."""
    out: list[Resource] = []
    for field in _SIMPLE_VITALS:
        value = getattr(o, field)
        if value is not None:
            out.append(_measurement(f"{o.id}-{field.replace('_', '-')}", o.patient_id, o.at,
                                    field, value))
    if o.systolic is not None:
        out.append(_blood_pressure(f"{o.id}-bp", o.patient_id, o.at, o.systolic, o.diastolic))
    if o.glucose_mmol_l is not None:
        out.append(_measurement(f"{o.id}-glucose", o.patient_id, o.at, "glucose_mmol_l",
                                o.glucose_mmol_l,
                                [fc.concept(fc.OBSERVATION_CATEGORY, "laboratory", "Laboratory")]))
    if o.consciousness is not None:
        out.append({
            "resourceType": "Observation", "id": f"{o.id}-acvpu", "status": "final",
            "category": VITAL_SIGNS, "code": fc.concept(fc.LOINC, *fc.CONSCIOUSNESS),
            "subject": ref("Patient", o.patient_id), "effectiveDateTime": instant(o.at),
            "valueCodeableConcept": {"text": o.consciousness.value},
        })
    news2 = news2_resource(o, [r["id"] for r in out])
    if news2 is not None:
        out.append(news2)
    return out


def news2_resource(o: Observation, derived_from: Sequence[str]) -> Resource | None:
    result = o.news2()
    if result is None:
        return None
    return {
        "resourceType": "Observation", "id": f"{o.id}-news2", "status": "final",
        "category": [fc.concept(fc.OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": fc.concept(fc.SNOMED, *fc.NEWS2_TOTAL, text="NEWS2 total score"),
        "subject": ref("Patient", o.patient_id), "effectiveDateTime": instant(o.at),
        "valueInteger": result.aggregate,
        "interpretation": [fc.concept(fc.NEWS2_RISK, result.risk.value,
                                      f"{result.risk.value} clinical risk",
                                      text=f"{result.monitoring}; {result.response}")],
        "method": {"text": f"NEWS2 SpO2 scale {result.scale}"},
        "component": [{"code": fc.concept(fc.NEWS2_PARAMETER, name, fc.NEWS2_PARAMETERS[name]),
                       "valueInteger": points}
                      for name, points in result.sub_scores.items()],
        "derivedFrom": [ref("Observation", rid) for rid in derived_from],
    }


def chronic_reading_resources(r: ChronicReading) -> list[Resource]:
    out: list[Resource] = []
    if r.glucose_mmol_l is not None:
        out.append(_measurement(f"{r.id}-glucose", r.patient_id, r.at, "glucose_mmol_l",
                                r.glucose_mmol_l,
                                [fc.concept(fc.OBSERVATION_CATEGORY, "laboratory", "Laboratory")]))
    if r.systolic is not None:
        out.append(_blood_pressure(f"{r.id}-bp", r.patient_id, r.at, r.systolic, r.diastolic))
    if r.weight_kg is not None:
        out.append(_measurement(f"{r.id}-weight-kg", r.patient_id, r.at, "weight_kg", r.weight_kg))
    if r.notes:
        for res in out:
            res["note"] = [{"text": r.notes}]
    return out


def device_minute_resources(patient_id: str, times: Sequence[float], spo2: Sequence[float],
                            pulse: Sequence[float], device: str) -> list[Resource]:
    """Live oximeter numerics (1/s on disk) as one SpO2 and one pulse Observation a minute.

    The value of a minute is the median of its valid seconds, so one artefact does not
    move it; a minute with no valid second is not exported (a gap stays a gap).
    """
    minutes: dict[int, tuple[list[float], list[float]]] = {}
    for t, s, p in zip(times, spo2, pulse, strict=True):
        bucket = minutes.setdefault(int(t // 60), ([], []))
        if not math.isnan(s):
            bucket[0].append(s)
        if not math.isnan(p):
            bucket[1].append(p)
    out: list[Resource] = []
    for minute, (s_values, p_values) in sorted(minutes.items()):
        start = datetime.fromtimestamp(minute * 60, tz=UTC)
        period = {"start": instant(start), "end": instant(datetime.fromtimestamp(minute * 60 + 59, tz=UTC))}
        stamp = start.strftime("%Y%m%d%H%M")
        for field, values in (("spo2", s_values), ("pulse", p_values)):
            if not values:
                continue
            res = _measurement(f"dev-{patient_id}-{stamp}-{field}", patient_id, start, field,
                               round(_median(values)))
            del res["effectiveDateTime"]
            res["effectivePeriod"] = period
            res["device"] = {"display": device}
            res["method"] = {"text": "median of the minute's 1-per-second device values"}
            out.append(res)
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# ---------------------------------------------------------------------------- referrals
def referral_resources(r: Referral) -> list[Resource]:
    """The referral as a ServiceRequest, and its letter as a DocumentReference."""
    request: Resource = {
        "resourceType": "ServiceRequest", "id": r.id, "identifier": record_identifier(r.id),
        "status": fc.REFERRAL_STATUS[r.status.value], "intent": "order",
        "priority": fc.REFERRAL_PRIORITY[r.urgency.value],
        "code": {"text": f"Referral to {r.to_department}"},
        "subject": ref("Patient", r.patient_id),
        "authoredOn": r.created_on.isoformat(),
        "requester": {"display": r.referred_by},
        "performerType": {"text": r.to_department},
        "reasonCode": [{"text": r.reason}],
    }
    notes = [n for n in (r.notes, f"cancelled: {r.cancel_reason}" if r.cancel_reason else "") if n]
    if notes:
        request["note"] = [{"text": n} for n in notes]
    if r.appointment_on is not None:
        request["occurrenceDateTime"] = r.appointment_on.isoformat()
    letter_text = "\n".join([
        f"Referral {r.id} from {r.from_department or 'the clinic'} to {r.to_department}",
        f"Urgency: {r.urgency.value}", f"Reason: {r.reason}", f"Referred by: {r.referred_by}",
        *([f"Notes: {r.notes}"] if r.notes else []),
    ])
    letter: Resource = {
        "resourceType": "DocumentReference", "id": f"{r.id}-letter",
        "status": "entered-in-error" if r.status is ReferralStatus.CANCELLED else "current",
        "type": fc.concept(fc.LOINC, *fc.REFERRAL_NOTE),
        "subject": ref("Patient", r.patient_id), "author": [{"display": r.referred_by}],
        "content": [{"attachment": text_attachment(letter_text, f"Referral letter {r.id}")}],
        "context": {"related": [ref("ServiceRequest", r.id)]},
    }
    return [request, letter]


# ---------------------------------------------------------------------------- scheduling
def appointment_resource(a: Appointment) -> Resource:
    participants = [
        {"actor": ref("Patient", a.patient_id), "status": "accepted"},
        {"actor": ref("Practitioner", a.provider_id), "status": "accepted"},
    ]
    if a.room_id:
        participants.append({"actor": ref("Location", a.room_id), "status": "accepted"})
    res: Resource = {
        "resourceType": "Appointment", "id": a.id, "identifier": record_identifier(a.id),
        "status": fc.APPOINTMENT_STATUS[a.status.value],
        "start": instant(a.start), "end": instant(a.end), "minutesDuration": a.minutes,
        "participant": participants,
    }
    if a.reason:
        res["description"] = a.reason
    if a.cancel_reason:
        res["cancelationReason"] = {"text": a.cancel_reason}
    return res


def practitioner_resource(p: Provider) -> Resource:
    return {
        "resourceType": "Practitioner", "id": p.id,
        "identifier": [{"system": fc.PROVIDER_ID_SYSTEM, "value": p.id}],
        "active": p.active, "name": [{"text": p.name}],
        "qualification": [{"code": {"text": f"{p.role}, {p.department}"}}],
    }


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def schedule_resource(p: Provider, windows: Sequence[Availability]) -> Resource:
    hours = ", ".join(f"{_DAYS[w.weekday]} {w.start}-{w.end}" for w in
                      sorted(windows, key=lambda w: (w.weekday, w.start)) if w.active)
    res: Resource = {
        "resourceType": "Schedule", "id": f"{p.id}-schedule", "active": p.active,
        "serviceType": [{"text": p.department}],
        "actor": [ref("Practitioner", p.id, p.name)],
    }
    if hours:
        res["comment"] = f"Weekly hours: {hours}; {p.slot_minutes}-minute slots"
    return res


def location_resource(r: Room) -> Resource:
    return {
        "resourceType": "Location", "id": r.id, "status": "active" if r.active else "inactive",
        "name": r.name, "mode": "instance",
        "physicalType": {"text": r.kind},
    }

