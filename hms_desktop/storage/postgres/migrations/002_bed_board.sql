-- The live board of remote beds (docs/postgresql.md, "Remote beds"): one row per bed, the
-- newest numerics and alarm state, replaced by the bedside workstation every half second.
-- Not history: every second of vitals and every alarm event is kept in series_vitals and
-- series_alarms by the bedside's recorder. beat_at is the server's clock, so a nurse
-- station on another PC can tell a silent bedside without trusting either PC's clock.
CREATE TABLE bed_board (
    bed_id          text PRIMARY KEY,
    bed_name        text NOT NULL,
    workstation     text NOT NULL,
    patient_id      text NOT NULL DEFAULT '',
    patient_name    text NOT NULL DEFAULT '',
    device_state    text NOT NULL DEFAULT '',
    spo2            integer,
    pulse_rate      integer,
    alarm           text NOT NULL DEFAULT '',
    alarm_priority  text NOT NULL DEFAULT '',
    unacknowledged  integer NOT NULL DEFAULT 0,
    measured_at     timestamptz,
    beat_at         timestamptz NOT NULL DEFAULT now()
);
