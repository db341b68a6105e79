"""Reads and writes ``<data folder>/settings.json``, the clinic settings.

A small JSON document rather than a journalled table: it changes a few times a year, has
one row, and a person may edit it by hand. Saving replaces the file atomically (temp
file, fsync, rename) so a crash leaves either the old or the new settings, never half.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.domain.validation_text import describe_validation_error

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
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return ClinicSettings()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a JSON object of settings")
    try:
        return ClinicSettings.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(f"{path}: {describe_validation_error(exc)}") from exc


def save_settings(data_dir: Path, settings: ClinicSettings) -> None:
    """Replace the settings file atomically; durable when this returns."""
    path = settings_path(data_dir)
    payload = json.dumps(settings.model_dump(), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".settings.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)

