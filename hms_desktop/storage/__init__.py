"""Crash-safe CSV storage: checkpoint + journal per table, day files, quarantine, one writer.

See docs/contracts.md for the API and ARCHITECTURE §3 for the guarantees.
"""

from .csvfile import replace_file
from .daylog import DayLog
from .journal import INTERRUPTED, TORN_WRITE
from .manifest import IntegrityProblem
from .quarantine import QuarantinedRow
from .schema import ENGINE_COLUMNS, TableSpec, escape_text, unescape_text
from .store import Store
from .table import ReadOnlyError, RecordMeta, Table, Version

__all__ = [
    "ENGINE_COLUMNS",
    "DayLog",
    "INTERRUPTED",
    "IntegrityProblem",
    "QuarantinedRow",
    "ReadOnlyError",
    "TORN_WRITE",
    "RecordMeta",
    "Store",
    "Table",
    "TableSpec",
    "Version",
    "escape_text",
    "replace_file",
    "unescape_text",
]
