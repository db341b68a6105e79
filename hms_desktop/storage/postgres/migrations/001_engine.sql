-- HMS Desktop engine schema, version 1. Applied once, in one transaction, by
-- storage/postgres/migrate.py; the applied version is recorded in schema_version.

-- Every table the application opened: its TableSpec schema version (like manifest.json).
CREATE TABLE hms_tables (
    name           text PRIMARY KEY,
    schema_version integer NOT NULL,
    id_prefix      text
);

-- Every time series (vitals, alarms, wearables ...): one partitioned table each.
CREATE TABLE hms_day_logs (
    kind    text PRIMARY KEY,
    columns text[] NOT NULL
);

-- Rows the CSV engine could not load, carried over by `migrate` so nothing is forgotten.
CREATE TABLE quarantine_notes (
    n         bigserial PRIMARY KEY,
    file      text NOT NULL,
    line      integer NOT NULL,
    reason    text NOT NULL,
    raw       text NOT NULL,
    record_id text NOT NULL DEFAULT '',
    table_name text NOT NULL DEFAULT '',
    UNIQUE (file, line, reason, raw)
);

-- Progress of `migrate --from DIR`: a restarted migration skips what is already copied.
CREATE TABLE migration_progress (
    source text NOT NULL,
    part   text NOT NULL,
    rows   bigint NOT NULL,
    sha256 text NOT NULL,
    done_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, part)
);
