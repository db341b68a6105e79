"""Column sets derived from the pydantic models, and how each cell is written and read.

A table's columns are declared once, by its model: the model's fields in order, then the
engine's own columns. Each field gets a *kind* that decides how its cell is encoded, how a
whole column is checked at load (vectorised over distinct values, not pydantic per row, so
100,000 rows open in well under a second) and how a cell becomes a model value again.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

ENGINE_COLUMNS: tuple[str, ...] = ("version", "updated_at", "updated_by", "seq")

# Spreadsheets treat a text cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

M = TypeVar("M", bound=BaseModel)

RowMigration = Callable[[dict[str, str]], dict[str, str]]


def escape_text(text: str) -> str:
    """Make a text cell formula-safe; a leading quote is doubled so decoding is exact."""
    if text.startswith(FORMULA_TRIGGERS) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def unescape_text(cell: str) -> str:
    return cell[1:] if cell.startswith(ESCAPE) else cell


@dataclass(frozen=True)
class ColumnKind:
    """How one model field lives in a CSV cell."""

    name: str  # str, int, float, bool, date, datetime, time, enum, json
    optional: bool
    required: bool  # no default: an empty cell is an error unless the field is optional
    choices: frozenset[str] = frozenset()

    @property
    def is_text(self) -> bool:
        return self.name in ("str", "enum")


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip ``X | None`` and ``Annotated`` and report whether None is allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0] if len(args) == 1 else str
            continue
        return annotation, optional


# Order matters: bool is an int, datetime is a date.
_KIND_BY_TYPE: tuple[tuple[type, str], ...] = (
    (bool, "bool"), (int, "int"), (float, "float"), (datetime, "datetime"), (date, "date"),
    (time, "time"), (BaseModel, "json"),
)


def kind_of(annotation: Any, *, required: bool) -> ColumnKind:
    inner, optional = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is Literal:
        values = frozenset(str(getattr(v, "value", v)) for v in typing.get_args(inner))
        return ColumnKind("enum", optional, required, values)
    if origin in (list, dict, tuple, set, frozenset) or inner in (list, dict):
        return ColumnKind("json", optional, required)
    if isinstance(inner, type):
        if issubclass(inner, Enum):
            return ColumnKind("enum", optional, required, frozenset(str(m.value) for m in inner))
        for python_type, name in _KIND_BY_TYPE:
            if issubclass(inner, python_type):
                return ColumnKind(name, optional, required)
    return ColumnKind("str", optional, required)


def encode_value(kind: ColumnKind, value: Any) -> str:
    """A model value as the logical cell text (formula escaping happens at the file edge)."""
    if value is None:
        return ""
    match kind.name:
        case "str":
            return str(value)
        case "enum":
            return str(value.value) if isinstance(value, Enum) else str(value)
        case "bool":
            return "true" if value else "false"
        case "int" | "float":
            return repr(value) if isinstance(value, float) else str(int(value))
        case "datetime":
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            return str(value.isoformat())
        case "date" | "time":
            return str(value.isoformat())
        case _:
            return json.dumps(to_jsonable_python(value), ensure_ascii=False, separators=(",", ":"))


_INT = re.compile(r"[+-]?\d+")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _cell_ok(kind: ColumnKind, cell: str) -> bool:
    try:
        match kind.name:
            case "int":
                return _INT.fullmatch(cell) is not None
            case "float":
                float(cell)
            case "bool":
                return cell.lower() in _BOOL
            case "date":
                date.fromisoformat(cell)
            case "datetime":
                datetime.fromisoformat(cell)
            case "time":
                time.fromisoformat(cell)
            case "enum":
                return cell in kind.choices
            case "json":
                json.loads(cell)
    except ValueError:
        return False
    return True


_ISO_DATETIME = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?"
)


def _all_plainly_valid(kind: ColumnKind, cells: list[str]) -> bool:
    """A C-speed pass that proves a column clean in the common case (no per-value Python)."""
    if kind.name == "int":
        return all(map(str.isdigit, cells)) and "".join(cells).isascii()
    if kind.name == "datetime":
        if not all(map(_ISO_DATETIME.fullmatch, cells)):
            return False
        days = {cell[:10] for cell in cells}  # few distinct days: check 30 February etc. once each
        return not check_column(ColumnKind("date", False, False), days)
    return False


def check_column(kind: ColumnKind, cells: Iterable[str]) -> dict[str, str]:
    """Return {bad cell value: reason} for a whole column, checking each distinct value once."""
    problems: dict[str, str] = {}
    if kind.name == "str":
        return problems  # any text is a valid str (emptiness is the caller's rule)
    values = cells if isinstance(cells, list) else list(cells)
    if _all_plainly_valid(kind, values):
        return problems
    for cell in set(values):
        if cell == "":
            if kind.required and not kind.optional and kind.name != "str":
                problems[cell] = "is empty but required"
            continue
        if not _cell_ok(kind, cell):
            expected = (
                f"one of {', '.join(sorted(kind.choices))}" if kind.name == "enum" else f"a valid {kind.name}"
            )
            problems[cell] = f"{cell!r} is not {expected}"
    return problems


def decode_cell(kind: ColumnKind, cell: str) -> Any:
    """Logical cell text -> a value pydantic (lax mode) turns into the field's type."""
    if cell == "":
        if kind.optional:
            return None
        return "" if kind.name == "str" else _MISSING
    if kind.name == "json":
        return json.loads(cell)
    if kind.name == "bool":
        return _BOOL.get(cell.lower(), cell)
    return cell


_MISSING = object()


@dataclass(frozen=True)
class TableSpec:
    """One mutable table: its file name, model, ID prefix and schema version.

    ``migrations[n]`` turns a raw row (column -> text) of schema version ``n`` into version
    ``n + 1``; the engine applies them in order when it opens an older file.
    """

    name: str
    model: type[BaseModel]
    id_prefix: str | None = None
    schema_version: int = 1
    migrations: Mapping[int, RowMigration] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.model.model_fields)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.fields + ENGINE_COLUMNS

    def kinds(self) -> dict[str, ColumnKind]:
        return model_kinds(self.model)


_KIND_CACHE: dict[type[BaseModel], dict[str, ColumnKind]] = {}


def model_kinds(model: type[BaseModel]) -> dict[str, ColumnKind]:
    kinds = _KIND_CACHE.get(model)
    if kinds is None:
        kinds = {
            name: kind_of(info.annotation, required=info.is_required())
            for name, info in model.model_fields.items()
        }
        _KIND_CACHE[model] = kinds
    return kinds


def model_to_cells(model: BaseModel, kinds: Mapping[str, ColumnKind]) -> list[str]:
    return [encode_value(kind, getattr(model, name)) for name, kind in kinds.items()]


def cells_to_model(model: type[M], kinds: Mapping[str, ColumnKind], cells: Iterable[str]) -> M:
    data: dict[str, Any] = {}
    for (name, kind), cell in zip(kinds.items(), cells, strict=False):
        value = decode_cell(kind, cell)
        if value is not _MISSING:
            data[name] = value
    return model.model_validate(data)
