"""Form descriptions derived from a record model, so one editor serves every section.

Reading the pydantic field annotations here (pure, no Qt) keeps the rules in one place: the
dialog builds one input per ``FormField`` and the validation messages use the same titles.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, ValidationError

from hms_desktop.domain import validation_text

HIDDEN_FIELDS = frozenset({"id", "patient_id", "amends", "provider_id", "appointment_id"})


@dataclass(frozen=True, slots=True)
class FormField:
    """One input: ``kind`` is text | multiline | choice | date | datetime | bool | number."""

    name: str
    title: str
    kind: str
    optional: bool
    choices: tuple[str, ...] = ()
    list_column: bool = False
    required: bool = False  # the user must type something (no default, or must not be empty)


def _kind(annotation: object) -> tuple[str, bool, tuple[str, ...]]:
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice", optional, tuple(str(m.value) for m in annotation)
    if annotation is bool:
        return "bool", optional, ()
    if annotation is datetime:
        return "datetime", optional, ()
    if annotation is date:
        return "date", optional, ()
    if annotation in (int, float):
        return "number", optional, ()
    return "text", optional, ()


def form_fields(model: type[BaseModel], hidden: frozenset[str] = HIDDEN_FIELDS) -> list[FormField]:
    """The editable fields of ``model`` in declaration order."""
    out = []
    for name, info in model.model_fields.items():
        if name in hidden:
            continue
        kind, optional, choices = _kind(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if kind == "text" and extra.get("multiline"):
            kind = "multiline"
        required = info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)
        out.append(FormField(name, info.title or name.replace("_", " ").capitalize(), kind, optional,
                             choices, bool(extra.get("list_column")), required))
    return out


def list_columns(model: type[BaseModel]) -> list[FormField]:
    """The fields a section's list shows as columns."""
    return [f for f in form_fields(model) if f.list_column]


def describe_errors(model: type[BaseModel], error: ValidationError) -> list[str]:
    """Sentences naming each field by its title, e.g. "Substance: must not be empty"."""
    return validation_text.describe_errors(error, model)

