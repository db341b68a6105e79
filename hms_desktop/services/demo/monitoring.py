"""Demo monitoring data: eight beds, a few past sessions of 1 Hz vitals with alarms, and one
bed monitored live by the Demo device.

Goes through MonitoringService like the UI (batch writes). Vitals follow a slow random
walk with an occasional desaturation, so trends and alarm markers have something to show.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hms_desktop.domain.monitoring import AlarmEventRow, Bed, SessionStatus, VitalsRow
from hms_desktop.services.container import Services
from hms_desktop.services.demo import Progress

BEDS = 8
SESSIONS = 4
SESSION_S = 2 * 3600
LIVE_BED = "BED01"
DEMO_PORT = "Demo device"  # the name the monitor's sources know the simulator by


def generate(services: Services, rng: random.Random, *, patients: int, progress: Progress) -> None:
    svc = services.monitoring
    existing = {b.id for b in svc.beds()}
    beds = [Bed(id=f"BED{i:02d}", name=f"Bed {i}", ward="Ward A", position=i) for i in range(1, BEDS + 1)]
    svc.add_beds([b for b in beds if b.id not in existing])
    now = datetime.now(UTC).replace(microsecond=0)
    count = min(SESSIONS, max(0, patients))
    for n in range(count):
        progress("monitoring sessions", n / max(1, count))
        patient_id = f"PAT{n + 1:06d}"
        bed_id = beds[n].id
        start = now - timedelta(days=n + 1, hours=rng.randint(0, 8))
        session = svc.start_session(bed_id=bed_id, patient_id=patient_id, port="Demo device",
                                    protocol="cms50-v7", now=start)
        rows, events = _series(rng, session.id, patient_id, bed_id, start)
        for i in range(0, len(rows), 3600):
            svc.record_vitals(rows[i:i + 3600])
        svc.record_alarm_events(events)
        svc.set_session_status(session.id, SessionStatus.ENDED, now=start + timedelta(seconds=SESSION_S))
    if patients > count and svc.live_session(LIVE_BED) is None:
        # "A simulated oximeter when no device is attached": the demo ward has one bed live on
        # the Demo device (a simulator on a pseudo-terminal, labelled as such), which the
        # monitor reopens at every start like any session left running.
        svc.start_session(bed_id=LIVE_BED, patient_id=f"PAT{count + 1:06d}", port=DEMO_PORT,
                          protocol="cms50-legacy", now=now)
    progress("monitoring sessions", 1.0)


def _series(rng: random.Random, session_id: str, patient_id: str, bed_id: str,
            start: datetime) -> tuple[list[VitalsRow], list[AlarmEventRow]]:
    spo2, pr = 96.0, 70.0 + rng.uniform(-10, 10)
    dip_at = rng.randint(600, SESSION_S - 900)
    rows: list[VitalsRow] = []
    for s in range(SESSION_S):
        spo2 += (96.5 - spo2) * 0.05 + rng.gauss(0, 0.3)
        pr += (72 - pr) * 0.01 + rng.gauss(0, 0.5)
        value = spo2 - (8 if dip_at <= s < dip_at + 120 else 0)
        rows.append(VitalsRow(at=start + timedelta(seconds=s), patient_id=patient_id, bed_id=bed_id,
                              session_id=session_id, spo2=int(round(min(100, value))),
                              pulse_rate=int(round(pr)), perfusion_index=round(rng.uniform(2, 6), 1),
                              signal_strength=7))
    onset = start + timedelta(seconds=dip_at + 10)
    end = start + timedelta(seconds=dip_at + 125)
    alarm_id = f"{bed_id}-spo2_low-{int(onset.timestamp() * 1000)}"
    common = dict(alarm_id=alarm_id, kind="spo2_low", priority="high", patient_id=patient_id,
                  bed_id=bed_id, session_id=session_id, started_at=onset)
    peak = float(min(r.spo2 or 100 for r in rows[dip_at:dip_at + 120]))
    events = [AlarmEventRow(at=onset, event="started", peak=peak, **common),
              AlarmEventRow(at=end, event="ended", ended_at=end, peak=peak, acknowledged_by="demo.nurse",
                            acknowledged_at=onset + timedelta(seconds=30), end_reason="cleared",
                            **common)]
    return rows, events
