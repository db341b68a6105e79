"""The printable patient summary as HTML: demographics, allergies, active problems and
medications, then any sections other features contribute (last observations with NEWS2,
open referrals) through ``SUMMARY_SECTIONS``.

Pure text building (no Qt) so its content is tested directly; ``summary_pdf`` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from hms_desktop.domain.record import MedicationStatus, ProblemStatus, Section
from hms_desktop.ui.record.header_facts import find_patient, header_facts

# fn(services, patient_id) -> (heading, html body) or None when there is nothing to say.
SummarySection = Callable[[Any, str], "tuple[str, str] | None"]
SUMMARY_SECTIONS: list[SummarySection] = []


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p><i>None recorded.</i></p>"
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>"


def _latest_observation(services: Any, patient_id: str) -> tuple[str, str] | None:
    """Until feat/care registers its own section: its ObservationService.latest_for, if present."""
    latest_for = getattr(getattr(services, "observations", None), "latest_for", None)
    if not callable(latest_for):
        return None
    obs = latest_for(patient_id)
    if obs is None:
        return "Last observations", "<p><i>None recorded.</i></p>"
    fields = obs.model_dump() if hasattr(obs, "model_dump") else vars(obs)
    rows = [[k.replace("_", " "), str(getattr(v, "value", v))] for k, v in fields.items()
            if k not in ("id", "patient_id") and v not in (None, "")]
    news2_for = getattr(services.observations, "news2_for", None)
    if callable(news2_for):
        try:
            score = news2_for(obs)
            rows.append(["NEWS2", str(getattr(score, "aggregate", score))])
        except Exception:  # a partial set has no NEWS2; the summary still prints
            rows.append(["NEWS2", "not computed (incomplete set)"])
    return "Last observations", _table(["Parameter", "Value"], rows)


def summary_html(services: Any, patient_id: str, *, clinic: str = "", now: datetime | None = None) -> str:
    record = services.record
    facts = header_facts(patient_id, find_patient(services, patient_id))
    banner = record.allergy_banner(patient_id)
    when = (now or datetime.now(UTC)).astimezone().strftime("%Y-%m-%d %H:%M")
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
    extra = list(SUMMARY_SECTIONS) or [_latest_observation]
    for section in extra:
        try:
            got = section(services, patient_id)
        except Exception as exc:  # say what is missing rather than print a silently partial summary
            got = (getattr(section, "__name__", "section"), f"<p><i>Could not be included: {escape(str(exc))}</i></p>")
        if got is not None:
            parts += [f"<h2>{escape(got[0])}</h2>", got[1]]
    return "<html><body>" + "\n".join(parts) + "</body></html>"
