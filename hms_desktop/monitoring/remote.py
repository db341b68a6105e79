"""The monitoring core's beds as rows of the server's remote-bed board (services/remote_beds.py).

Read-only use of the station's public state (``monitors``, ``alarms()``, ``wall``): the core
does not know it is being published, and nothing here can delay an alarm.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hms_desktop.monitoring.station import MonitoringStation
from hms_desktop.storage.postgres.bed_board import BoardRow


def board_rows(station: MonitoringStation, workstation: str) -> list[BoardRow]:
    """One row per bed with a live session on this station: numerics and its worst alarm."""
    alarms = station.alarms()  # most urgent first, under the station's lock
    rows: list[BoardRow] = []
    for bed_id, monitor in list(station.monitors.items()):
        if not monitor.monitoring:
            continue
        mine = [a for source, a in alarms if source == bed_id and a.ended_at is None]
        worst = mine[0] if mine else None
        numerics = monitor.numerics
        measured = (datetime.fromtimestamp(station.wall(numerics.at), UTC)
                    if numerics.at is not None else None)
        rows.append(BoardRow(
            bed_id=bed_id, bed_name=monitor.bed.name or bed_id, workstation=workstation,
            patient_id=monitor.patient_id, patient_name=monitor.patient_name,
            device_state=monitor.device_state, spo2=numerics.spo2, pulse_rate=numerics.pulse_rate,
            alarm=worst.text if worst else "", alarm_priority=worst.priority.value if worst else "",
            unacknowledged=sum(1 for a in mine if not a.acknowledged), measured_at=measured))
    return rows
