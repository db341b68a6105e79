"""The monitoring core's beds as rows of the server's remote-bed board (services/remote_beds.py),
and the core's answer to a nurse station's acknowledge (services/remote_alarms.py).

Publishing is read-only use of the station's public state (``monitors``, ``alarms()``,
``wall``): the core does not know it is being published, and nothing here can delay an
alarm. An acknowledge from the station goes through ``acknowledge_seen``, the same engine
call as a local acknowledge, restricted to the alarm the station showed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hms_desktop.domain.alarm_limits import AlarmKind, Priority
from hms_desktop.domain.alarms import Alarm
from hms_desktop.monitoring.station import MonitoringStation
from hms_desktop.storage.postgres.alarm_requests import AckRequest, Apply
from hms_desktop.storage.postgres.bed_board import BoardAlarm, BoardRow


def board_rows(station: MonitoringStation, workstation: str) -> list[BoardRow]:
    """One row per bed with a live session on this station: numerics and its alarms."""
    alarms = station.alarms()  # most urgent first, under the station's lock, in wall time
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
            unacknowledged=sum(1 for a in mine if not a.acknowledged), measured_at=measured,
            alarms=tuple(_board_alarm(a) for a in mine)))
    return rows


def _board_alarm(a: Alarm) -> BoardAlarm:
    return BoardAlarm(a.alarm_id, a.kind.value, a.priority.value, a.text, a.started_at, peak=a.peak,
                      acknowledged_by=a.acknowledged_by, acknowledged_at=a.acknowledged_at,
                      latched=a.latched)


def acknowledge_from_station(station: MonitoringStation) -> Apply:
    """How this bedside answers a nurse station's request: its own engine acknowledges the
    alarm the station showed, recorded as "<user> from <station workstation>"."""

    def apply(request: AckRequest) -> str:
        try:
            kind, priority = AlarmKind(request.kind), Priority(request.priority)
        except ValueError:
            return f"this workstation does not know the alarm {request.kind!r} ({request.priority})"
        return station.acknowledge_seen(request.bed_id, kind, request.alarm_id, priority,
                                        f"{request.requested_by} from {request.requested_from}")

    return apply
