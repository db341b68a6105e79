from __future__ import annotations

import json
from pathlib import Path

import pytest

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.settings_file import (
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
)


def test_missing_file_gives_defaults_without_creating_it(data_dir: Path) -> None:
    assert load_settings(data_dir) == ClinicSettings()
    assert not settings_path(data_dir).exists()


def test_save_then_load_round_trips_and_is_readable_json(data_dir: Path) -> None:
    s = ClinicSettings(clinic_name="Ward 7 — Café", time_zone="Europe/Dublin", phone_region="IE")
    save_settings(data_dir, s)
    assert load_settings(data_dir) == s
    on_disk = json.loads(settings_path(data_dir).read_text(encoding="utf-8-sig"))
    assert on_disk["clinic_name"] == "Ward 7 — Café"
    assert [p.name for p in data_dir.iterdir()] == ["settings.json"]  # no temp file left


def test_hand_edited_bad_value_names_file_and_field(data_dir: Path) -> None:
    settings_path(data_dir).write_text('{"time_zone": "Narnia"}', encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(data_dir)
    assert "settings.json" in str(info.value)
    assert "settings.json:1: time_zone: unknown time zone 'Narnia'" in str(info.value)


def test_broken_json_names_the_line(data_dir: Path) -> None:
    settings_path(data_dir).write_text('{\n "clinic_name": "A",\n oops\n}', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings.json:3: not valid JSON"):
        load_settings(data_dir)


def test_bom_from_a_windows_editor_is_accepted(data_dir: Path) -> None:
    settings_path(data_dir).write_bytes('\ufeff{"clinic_name": "North"}'.encode())
    assert load_settings(data_dir).clinic_name == "North"


def test_field_error_points_at_the_line_of_the_key(data_dir: Path) -> None:
    settings_path(data_dir).write_text(
        '{\n  "clinic_name": "A",\n  "audio_pause_seconds": 5\n}', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match=r"settings.json:3: audio_pause_seconds: "):
        load_settings(data_dir)
