"""The printable patient summary as HTML: demographics, allergies, active problems and
medications, last observations with NEWS2 and open referrals; further features append
their own ``fn(services, patient_id) -> (heading, html) | None`` to ``SUMMARY_SECTIONS``.

Pure text building (no Qt) so its content is tested directly; ``summary_pdf`` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from hms_desktop.domain.record import (
    MedicationStatus,
    ProblemStatus,
    Section,
    active_notes_with_amendments,
)
from hms_desktop.ui.record.clock import wall_text, zone
from hms_desktop.ui.record.header_facts import find_patient, header_facts

# fn(services, patient_id) -> (heading, html body) or None when there is nothing to say.
SummarySection = Callable[[Any, str], "tuple[str, str] | None"]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p><i>None recorded.</i></p>"
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>"


_OBS_LABELS = (("respiration_rate", "Respiration rate", "/min"), ("spo2", "SpO2", "%"),
               ("on_oxygen", "On oxygen", ""), ("systolic", "Systolic BP", "mmHg"),
               ("diastolic", "Diastolic BP", "mmHg"), ("pulse", "Pulse", "/min"),
               ("consciousness", "Consciousness", ""), ("temperature", "Temperature", "°C"),
               ("glucose_mmol_l", "Blood glucose", "mmol/L"), ("weight_kg", "Weight", "kg"))


def last_observations(services: Any, patient_id: str) -> tuple[str, str] | None:
    """The latest set of vitals and the NEWS2 of the latest complete set (care's services)."""
    observations = getattr(services, "observations", None)
    if observations is None:
        return None
    obs = observations.latest_for(patient_id)
    if obs is None:
        return "Last observations", "<p><i>None recorded.</i></p>"
    rows = []
    for name, label, unit in _OBS_LABELS:
        value = getattr(obs, name, None)
        if value is None:
            continue
        text = ("yes" if value else "no") if isinstance(value, bool) else str(getattr(value, "value", value))
        rows.append([label, f"{text} {unit}".strip()])
    when = wall_text(obs.at)
    body = f"<p>Taken {escape(when)}</p>" + _table(["Parameter", "Value"], rows)
    score = observations.news2_for(patient_id)
    if score is None:
        body += "<p><b>NEWS2:</b> not computed (no complete set of observations).</p>"
    else:
        body += (f"<p><b>NEWS2 {score.aggregate}</b> (scale {score.scale}), risk {escape(str(score.risk))}: "
                 f"{escape(score.response)}; monitoring {escape(score.monitoring)}.</p>")
    return "Last observations", body


def open_referrals(services: Any, patient_id: str) -> tuple[str, str] | None:
    """Referrals still in progress, with their overdue flag (care's referral service); closed
    ones stay in the record's Referrals page."""
    referrals = getattr(services, "referrals", None)
    if referrals is None:
        return None
    rows = []
    for row in referrals.open_for(patient_id, date.today()):
        r = row.referral
        rows.append([r.to_department, r.reason, str(getattr(r.urgency, "value", r.urgency)),
                     str(getattr(r.status, "value", r.status)), r.created_on.isoformat(), row.overdue or ""])
    return "Open referrals", _table(["To", "Reason", "Urgency", "Status", "Created", "Overdue"], rows)


SUMMARY_SECTIONS: list[SummarySection] = [last_observations, open_referrals]


RECENT_NOTES = 10  # the summary is for a colleague: the latest notes, whole; the rest stay on file


def printed_at(now: datetime | None = None) -> str:
    return wall_text(now or datetime.now(UTC)) + f" ({zone().key})"


def _contact_rows(patient: Any) -> list[list[str]]:
    if patient is None:
        return []
    rows = [["Phone", str(getattr(patient, "phone", "") or "")], ["Email", str(getattr(patient, "email", "") or "")],
            ["Address", str(getattr(patient, "address", "") or "")],
            ["Emergency contact", " ".join(str(getattr(patient, f, "") or "") for f in
                                           ("emergency_name", "emergency_relation", "emergency_phone")).strip()],
            ["Other identifier", str(getattr(patient, "other_identifier", "") or "")]]
    return [r for r in rows if r[1]]


def _notes_html(record: Any, patient_id: str) -> str:
    groups = active_notes_with_amendments(record.entries(Section.NOTES, patient_id, include_inactive=False))
    if not groups:
        return "<p><i>None recorded.</i></p>"
    out = []
    for original, amendments in groups[:RECENT_NOTES]:
        for n, note in enumerate([original, *amendments]):
            label = "Amendment" if n else "Note"
            out.append(f"<p><b>{label} {escape(note.id)}</b>, {escape(wall_text(note.at))}, "
                       f"{escape(note.author)}<br/>{escape(note.text).replace(chr(10), '<br/>')}</p>")
    if len(groups) > RECENT_NOTES:
        out.append(f"<p><i>{len(groups) - RECENT_NOTES} older notes are in the record.</i></p>")
    return "".join(out)


def summary_html(services: Any, patient_id: str, *, clinic: str = "", address: str = "",
                 now: datetime | None = None) -> str:
    """The whole summary: demographics, allergies, problems, medications, diagnoses, surgeries,
    recent notes, then the features' sections (observations with NEWS2, referrals)."""
    record = services.record
    patient = find_patient(services, patient_id)
    facts = header_facts(patient_id, patient)
    banner = record.allergy_banner(patient_id)
    lines = "<br/>".join(escape(x) for x in address.splitlines() if x.strip())
    parts = [f"<h1>Patient summary{(' — ' + escape(clinic)) if clinic else ''}</h1>",
             f"<p>{lines}</p>" if lines else "",
             f"<p>Printed {escape(printed_at(now))}</p>",
             _table(["Name", "ID", "Date of birth", "Age", "Sex", "Blood group"],
                    [[facts.name or "(name not available)", patient_id, facts.date_of_birth, facts.age,
                      facts.sex or "not recorded", facts.blood_group or "not recorded"]]),
             *([f"<p><b>Status: {escape(facts.status)}</b></p>"] if facts.status else []),
             _table(["Contact", ""], _contact_rows(patient)) if _contact_rows(patient) else "",
             "<h2>Allergies</h2>",
             f"<p><b>{escape(banner.text)}</b></p>"]
    allergies = record.entries(Section.ALLERGIES, patient_id, include_inactive=False)
    if allergies:
        parts.append(_table(["Substance", "Reaction", "Severity"],
                            [[a.substance, a.reaction, a.severity.value] for a in allergies]))
    problems = [p for p in record.entries(Section.PROBLEMS, patient_id) if p.status == ProblemStatus.ACTIVE]
    parts += ["<h2>Active problems</h2>",
              _table(["Condition", "Chronic", "Onset"],
                     [[p.condition, "yes" if p.chronic else "", p.onset.isoformat() if p.onset else ""]
                      for p in problems])]
    meds = [m for m in record.entries(Section.MEDICATIONS, patient_id) if m.status == MedicationStatus.ACTIVE]
    parts += ["<h2>Active medications</h2>",
              _table(["Medication", "Dose", "Route", "Frequency", "Since"],
                     [[m.name, f"{m.dose:g} {m.unit}", m.route, m.frequency, m.start.isoformat()] for m in meds])]
    diagnoses = record.entries(Section.DIAGNOSES, patient_id, include_inactive=False)
    parts += ["<h2>Diagnoses</h2>",
              _table(["Diagnosis", "ICD-10", "Date", "Doctor"],
                     [[d.description, d.icd10, d.diagnosed_on.isoformat(), d.doctor] for d in diagnoses])]
    surgeries = record.entries(Section.SURGERIES, patient_id, include_inactive=False)
    parts += ["<h2>Past surgeries</h2>",
              _table(["Procedure", "Date", "Note"], [[s.procedure, s.performed_on.isoformat(), s.note]
                                                      for s in surgeries])]
    parts += [f"<h2>Recent clinical notes (latest {RECENT_NOTES})</h2>", _notes_html(record, patient_id)]
    for section in list(SUMMARY_SECTIONS):
        try:
            got = section(services, patient_id)
        except Exception as exc:  # say what is missing rather than print a silently partial summary
            got = (getattr(section, "__name__", "section"), f"<p><i>Could not be included: {escape(str(exc))}</i></p>")
        if got is not None:
            parts += [f"<h2>{escape(got[0])}</h2>", got[1]]
    return "<html><body>" + "\n".join(parts) + "</body></html>"
