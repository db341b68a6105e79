"""Turns a pydantic ValidationError into words a user can act on, naming each field.

One place for every form and message box: a field is named by its title when the model gives
one ("Substance: must not be empty"), otherwise by its name, and pydantic's jargon is replaced
by plain phrases.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

_PHRASES = {
    "string_too_short": "must not be empty",
    "missing": "is required",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_too_long": "is too long (at most {max_length} characters)",
    "int_parsing": "must be a whole number",
    "float_parsing": "must be a number",
    "date_from_datetime_parsing": "must be a date",
    "date_parsing": "must be a date",
    "enum": "must be chosen (one of {expected})",
}


def describe_errors(error: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """One sentence per problem, e.g. "Substance: must not be empty"."""
    messages = []
    for item in error.errors():
        loc = item.get("loc") or ()
        name = ".".join(str(p) for p in loc)
        info = model.model_fields.get(str(loc[0])) if model is not None and loc else None
        ctx = item.get("ctx") or {}
        if item["type"] == "value_error" and "error" in ctx:
            text = str(ctx["error"])
        else:
            phrase = _PHRASES.get(item["type"])
            try:
                text = phrase.format(**ctx) if phrase else str(item["msg"])
            except (KeyError, IndexError):
                text = str(item["msg"])
        text = text.removeprefix("Value error, ")
        label = info.title if info is not None and info.title else name
        # A whole-record rule ("Stop: must not be before Start") already names its fields.
        messages.append(f"{label}: {text}" if label else text)
    return messages


def describe_validation_error(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    """``field: message; other_field: message`` on one line (status bars, message boxes)."""
    return "; ".join(describe_errors(exc, model))
