"""Reads and writes ``<data folder>/settings.json``, the clinic settings.

A small JSON document rather than a journalled table: it changes a few times a year, has
one row, and a person may edit it by hand. Saving replaces the file atomically (temp
file, fsync, rename) so a crash leaves either the old or the new settings, never half.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.validation_text import describe_validation_error
from hms_desktop.storage.csvfile import decode, first_bad_byte, write_atomically

SETTINGS_FILE = "settings.json"


class SettingsError(ValueError):
    """The settings file exists but cannot be used; the message names the file and field."""


def settings_path(data_dir: Path) -> Path:
    return Path(data_dir) / SETTINGS_FILE


def load_settings(data_dir: Path) -> ClinicSettings:
    """Settings from the data folder; defaults when the file does not exist yet.

    A damaged file raises ``SettingsError`` instead of silently falling back, so the
    caller can tell the user (and must not overwrite the file without asking).
    """
    path = settings_path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ClinicSettings()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    text, not_utf8 = decode(data)
    if not_utf8:
        raise SettingsError(
            f"{path}: {first_bad_byte(text)} is not UTF-8 (the file was saved in another encoding, such as "
            "Latin-1); save it as UTF-8, or confirm File ▸ Repair data folder to convert it (the original is kept)")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a JSON object of settings")
    try:
        return ClinicSettings.model_validate(raw)
    except ValidationError as exc:
        line = _line_of_key(text, str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else "")
        raise SettingsError(f"{path}:{line}: {describe_validation_error(exc)}") from exc
    except (TypeError, ValueError) as exc:  # a value no validator expected (a list for a name)
        raise SettingsError(f"{path}: {exc}") from exc


def _line_of_key(text: str, key: str) -> int:
    """Line of the first ``"key"`` in the JSON text (1 when not found), for file:line messages."""
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{key}"' in line:
            return number
    return 1


def save_settings(data_dir: Path, settings: ClinicSettings) -> None:
    """Replace the settings file atomically; durable when this returns."""
    path = settings_path(data_dir)
    payload = json.dumps(settings.model_dump(), indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, [payload])

