-- Acknowledging a remote bed's alarm from the nurse station (docs/postgresql.md, "Remote
-- beds"). The board lists every active alarm of a bed, so the station can show, sound and
-- name the exact occurrence it acknowledges; the station's request is a row here, the
-- owning bedside applies it with its own alarm engine and writes the answer into the same
-- row. The rows are also the audit trail: who asked, from which workstation, when, and
-- what the bedside answered.
ALTER TABLE bed_board ADD COLUMN alarms jsonb NOT NULL DEFAULT '[]';

CREATE TABLE bed_alarm_requests (
    request_id      bigserial PRIMARY KEY,
    workstation     text NOT NULL,            -- the bedside that monitors the bed
    bed_id          text NOT NULL,
    kind            text NOT NULL,            -- the alarm as the station showed it ...
    alarm_id        text NOT NULL,
    priority        text NOT NULL,            -- ... at this priority
    requested_by    text NOT NULL,            -- the station's signed-in user
    requested_from  text NOT NULL,            -- the station's workstation
    requested_at    timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'applied', 'refused', 'expired')),
    answer          text NOT NULL DEFAULT '',
    answered_at     timestamptz
);
CREATE INDEX bed_alarm_requests_pending ON bed_alarm_requests (workstation, request_id)
    WHERE status = 'pending';
