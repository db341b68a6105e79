"""FHIR R4 export: one patient as a Bundle, or the whole folder as Bulk Data NDJSON.

Both paths gather a patient's resources the same way (``patient_resources``, through the
services' read methods) and validate every resource before it is written: a Bundle's
resources each whole with ``fhir.resources`` (R4B models, which share R4's structure for every
resource exported here), the bulk export's by shape (``fhir_validate.py``: the library on the
first resource of each structure, every value checked against its FHIR type). A resource
that fails validation stops the export with its type, id and the library's reason: a
receiving system must never get a file we did not check.

Bulk layout (FHIR Bulk Data Access, "$export" output): one ``<ResourceType>.ndjson`` file
per type, one resource per line, and ``manifest.json`` listing them with their counts.
Files are written under temporary names and renamed only when the export completes.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError
from pydantic_core import to_json

from hms_desktop.domain.record import AllergyStatement, Section

from . import fhir_care as care
from . import fhir_record as rec
from .fhir_record import Resource
from .fhir_validate import CheckStats, ShapeChecker

Progress = Callable[[str, float], None]


class ExportError(ValueError):
    """A resource failed FHIR validation (a defect here, or data that FHIR cannot carry)."""


class ExportCancelled(Exception):
    """The user cancelled; nothing was left in the output folder."""


def validate(resource: Resource) -> None:
    """Validate one resource dict with its ``fhir.resources`` model; ExportError names it."""
    kind = resource.get("resourceType", "?")
    try:
        get_fhir_model_class(kind).model_validate(resource)
    except (ValidationError, KeyError, ValueError) as exc:
        raise ExportError(f"{kind}/{resource.get('id', '?')}: {exc}") from exc


_RECORD_BUILDERS: dict[Section, Callable[[Any], Resource]] = {
    Section.ALLERGIES: rec.allergy_resource, Section.PROBLEMS: rec.problem_resource,
    Section.MEDICATIONS: rec.medication_resource, Section.SURGERIES: rec.surgery_resource,
    Section.DIAGNOSES: rec.diagnosis_resource, Section.NOTES: rec.note_resource,
    Section.VISITS: rec.visit_resource,
}


def patient_resources(services: Any, patient_id: str, *, today: date | None = None) -> list[Resource]:
    """Every resource about one patient: demographics, record, care, monitoring, bookings."""
    patient = services.patients.get(patient_id)
    if patient is None:
        raise KeyError(f"no patient {patient_id}")
    out: list[Resource] = [rec.patient_resource(patient)]
    out += [r for r in (rec.blood_group_resource(patient), rec.history_resource(patient)) if r]
    record = services.record
    entries = {section: record.entries(section, patient_id) for section in _RECORD_BUILDERS}
    for section, build in _RECORD_BUILDERS.items():
        out += [build(entry) for entry in entries[section]]
    active_allergies = [a for a in entries[Section.ALLERGIES] if a.status == "active"]
    if not active_allergies and \
            record.allergy_statement(patient_id) is AllergyStatement.NO_KNOWN_ALLERGIES:
        out.append(rec.no_known_allergy_resource(patient_id))
    for obs in services.observations.list_for(patient_id):
        out += care.observation_resources(obs)
    for reading in services.chronic.readings_for(patient_id):
        out += care.chronic_reading_resources(reading)
    enrolment = services.chronic.enrolment_for(patient_id)
    if enrolment is not None:
        out += rec.programme_condition_resources(enrolment.id, patient_id, enrolment.diseases,
                                                 enrolment.enrolled_on, True)
    for row in services.referrals.for_patient(patient_id, today or date.today()):
        out += care.referral_resources(row.referral)
    for appointment in services.scheduling.appointments.where("patient_id", patient_id):
        out.append(care.appointment_resource(appointment))
    out += device_resources(services, patient_id)
    return out


def device_resources(services: Any, patient_id: str) -> list[Resource]:
    """The patient's live monitoring sessions as SpO2 / pulse Observations, one a minute."""
    out: list[Resource] = []
    for session in services.monitoring.sessions_for(patient_id):
        end = session.ended_at or datetime.now(UTC)
        times, spo2, pulse = services.monitoring.trend(patient_id, session.started_at,
                                                       end + timedelta(seconds=1))
        device = f"pulse oximeter {session.protocol or ''} on bed {session.bed_id}".replace("  ", " ")
        out += care.device_minute_resources(patient_id, times, spo2, pulse, device)
    # Two sessions of one patient can overlap a minute: keep the first resource per id.
    unique: dict[str, Resource] = {}
    for res in out:
        unique.setdefault(res["id"], res)
    return list(unique.values())


def clinic_resources(services: Any) -> list[Resource]:
    """Practitioners, their schedules and the rooms (Locations) appointments refer to."""
    scheduling = services.scheduling
    windows: dict[str, list[Any]] = {}
    for window in scheduling.availability.all():
        windows.setdefault(window.provider_id, []).append(window)
    out: list[Resource] = []
    for provider in scheduling.providers.all():
        out.append(care.practitioner_resource(provider))
        out.append(care.schedule_resource(provider, windows.get(provider.id, [])))
    out += [care.location_resource(room) for room in scheduling.rooms.all()]
    return out


def _references(node: Any) -> Iterator[str]:
    """Every ``reference`` string anywhere in a resource tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _full_url(resource: Resource) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"hms-desktop/{resource['resourceType']}/{resource['id']}"))


def patient_bundle(services: Any, patient_id: str) -> Resource:
    """A validated ``collection`` Bundle: the patient, everything about them, and the
    practitioners and rooms their appointments and visits refer to."""
    resources = patient_resources(services, patient_id)
    referenced = set(_references(resources))
    for res in clinic_resources(services):
        key = f"{res['resourceType']}/{res['id']}"
        owner = res["actor"][0]["reference"] if res["resourceType"] == "Schedule" else key
        if owner in referenced:
            resources.append(res)
    for res in resources:
        validate(res)
    bundle: Resource = {
        "resourceType": "Bundle", "id": f"{patient_id}-export", "type": "collection",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "entry": [{"fullUrl": _full_url(r), "resource": r} for r in resources],
    }
    validate({**bundle, "entry": []})  # entries were validated one by one above
    return bundle


def write_json(path: Path, data: Resource) -> None:
    """Write atomically: a reader (or a crash) never sees half a file."""
    temp = path.with_name(path.name + ".part")
    with open(temp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)


# ---------------------------------------------------------------------------- bulk
@dataclass
class BulkResult:
    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    patients: int = 0
    checks: CheckStats | None = None  # how the resources were validated (None: all whole)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class _NdjsonWriter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def _part(self, kind: str) -> Path:
        return self.out_dir / f"{kind}.ndjson.part"

    def write(self, resource: Resource) -> None:
        kind = resource["resourceType"]
        fh = self.files.get(kind)
        if fh is None:
            fh = self.files[kind] = open(self._part(kind), "wb")  # noqa: SIM115
            self.counts[kind] = 0
        fh.write(to_json(resource))
        fh.write(b"\n")
        self.counts[kind] += 1

    def commit(self) -> None:
        for kind, fh in self.files.items():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(self._part(kind), self.out_dir / f"{kind}.ndjson")

    def discard(self) -> None:
        for kind, fh in self.files.items():
            fh.close()
            self._part(kind).unlink(missing_ok=True)


def bulk_export(services: Any, out_dir: Path, *, progress: Progress | None = None,
                cancel: threading.Event | None = None, whole: bool = False) -> BulkResult:
    """Every patient (merged records included, marked replaced-by) as Bulk Data NDJSON.

    Every resource is validated before it is written. By default through ``ShapeChecker``
    (``fhir_validate.py``): ``fhir.resources`` validates the first resource of each
    structure whole, and every resource has its structure matched to a validated one and
    each of its values checked against the element's FHIR type. ``whole=True`` validates
    every resource whole with ``fhir.resources`` (the reference; several times slower).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda step, fraction: None)
    writer = _NdjsonWriter(out_dir)
    ids = services.patients.ids()
    checker = None if whole else ShapeChecker(validate)
    check = validate if checker is None else checker.check
    today = date.today()

    def emit(resources: list[Resource]) -> None:
        for res in resources:
            check(res)
            writer.write(res)

    try:
        emit(clinic_resources(services))
        for n, patient_id in enumerate(ids):
            if cancel is not None and cancel.is_set():
                raise ExportCancelled()
            emit(patient_resources(services, patient_id, today=today))
            if n % 500 == 0:
                report(f"exporting patient {n + 1:,} of {len(ids):,}", n / max(1, len(ids)))
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    result = BulkResult(out_dir, dict(writer.counts), len(ids),
                        None if checker is None else checker.stats)
    write_json(out_dir / "manifest.json", _manifest(result))
    report("done", 1.0)
    return result


def _manifest(result: BulkResult) -> Resource:
    return {
        "transactionTime": datetime.now(UTC).isoformat(timespec="seconds"),
        "request": "hms-desktop fhir-export", "requiresAccessToken": False,
        "output": [{"type": kind, "url": f"{kind}.ndjson", "count": count}
                   for kind, count in sorted(result.counts.items())],
        "error": [],
    }


def iter_ndjson(path: Path) -> Iterator[Resource]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


