"""Tables generated from a ``TableSpec``, and time-series tables partitioned by month.

Per table ``<name>``:

- ``<name>_versions``: one row per saved version, primary key ``(id, version)``, with ``op``,
  ``updated_at``, ``updated_by`` and ``seq`` (the table's change counter, as in the CSV
  journal) and ``txn`` (the saving transaction, so a retried write after a lost connection
  can tell whether it had committed); then one ``text`` column per model field holding the
  cell exactly as the CSV file would show it (ISO dates, JSON lists), so the two backends
  cannot disagree about a value;
- ``<name>``: a view of the current version of each record (what a spreadsheet user sees in
  ``<name>.csv``);
- ``<name>_id_seq``: the ID numbers (``PAT000123``); a sequence never hands a number out twice,
  even when the transaction that took it rolls back.

Time series ``<kind>`` (vitals, alarms, wearables ...): ``series_<kind>`` partitioned by
``RANGE (at_utc)``, one partition per UTC month created when first written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from psycopg import sql

ENGINE = ("version", "updated_at", "updated_by", "seq")


def versions_table(name: str) -> sql.Identifier:
    return sql.Identifier(f"{name}_versions")


def id_sequence(name: str) -> str:
    return f"{name}_id_seq"


def create_table(name: str, fields: Sequence[str]) -> list[sql.Composed]:
    versions = versions_table(name)
    field_columns = sql.SQL(", ").join(
        sql.SQL("{} text NOT NULL DEFAULT ''").format(sql.Identifier(f)) for f in fields if f != "id")
    visible = sql.SQL(", ").join(sql.Identifier(c) for c in (*fields, *ENGINE))
    return [
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " id text NOT NULL, version integer NOT NULL, op text NOT NULL,"
            " updated_at timestamptz NOT NULL, updated_by text NOT NULL, seq bigint NOT NULL,"
            " txn uuid NOT NULL, {},"
            " PRIMARY KEY (id, version), UNIQUE (seq))"
        ).format(versions, field_columns),
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (txn)").format(
            sql.Identifier(f"{name}_versions_txn"), versions),
        sql.SQL(
            "CREATE OR REPLACE VIEW {} AS SELECT DISTINCT ON (id) {} FROM {} ORDER BY id, version DESC"
        ).format(sql.Identifier(name), visible, versions),
        sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sql.Identifier(id_sequence(name))),
    ]


def series_table(kind: str) -> sql.Identifier:
    return sql.Identifier(f"series_{kind}")


def create_series(kind: str, fields: Sequence[str]) -> sql.Composed:
    columns = sql.SQL(", ").join(sql.SQL("{} text NOT NULL DEFAULT ''").format(sql.Identifier(f))
                                 for f in fields)
    return sql.SQL(
        # row_no keeps the order rows were appended in, as a CSV day file does (readers and
        # export-csv give rows back in that order, so an exported day file matches its source).
        "CREATE TABLE IF NOT EXISTS {} (at_utc timestamptz NOT NULL, row_no bigserial, {}) "
        "PARTITION BY RANGE (at_utc)"
    ).format(series_table(kind), columns)


def month_partition(kind: str, month: date) -> sql.Composed:
    first = month.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    name = sql.Identifier(f"series_{kind}_{first:%Y%m}")
    return sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})"
    ).format(name, series_table(kind), sql.Literal(f"{first.isoformat()} 00:00:00+00"),
             sql.Literal(f"{after.isoformat()} 00:00:00+00"))


def series_index(kind: str) -> sql.Composed:
    return sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (at_utc)").format(
        sql.Identifier(f"series_{kind}_at"), series_table(kind))
