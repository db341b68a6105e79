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

from hms_desktop.domain.record import MedicationStatus, ProblemStatus, Section
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
    """Referrals still in progress, with their overdue flag (care's referral service)."""
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


def summary_html(services: Any, patient_id: str, *, clinic: str = "", now: datetime | None = None) -> str:
    record = services.record
    facts = header_facts(patient_id, find_patient(services, patient_id))
    banner = record.allergy_banner(patient_id)
    when = wall_text(now or datetime.now(UTC)) + f" ({zone().key})"
    parts = [f"<h1>Patient summary{(' — ' + escape(clinic)) if clinic else ''}</h1>",
             f"<p>Printed {escape(when)}</p>",
             _table(["Name", "ID", "Date of birth", "Age", "Sex", "Blood group"],
                    [[facts.name or "(name not available)", patient_id, facts.date_of_birth, facts.age,
                      facts.sex or "not recorded", facts.blood_group or "not recorded"]]),
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
    for section in list(SUMMARY_SECTIONS):
        try:
            got = section(services, patient_id)
        except Exception as exc:  # say what is missing rather than print a silently partial summary
            got = (getattr(section, "__name__", "section"), f"<p><i>Could not be included: {escape(str(exc))}</i></p>")
        if got is not None:
            parts += [f"<h2>{escape(got[0])}</h2>", got[1]]
    return "<html><body>" + "\n".join(parts) + "</body></html>"
