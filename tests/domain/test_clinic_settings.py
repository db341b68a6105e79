from __future__ import annotations

import pytest
from pydantic import ValidationError

from hms_desktop.domain.clinic_settings import ClinicSettings


def test_defaults_match_the_clinical_reference() -> None:
    s = ClinicSettings()
    assert s.time_zone == "Europe/London"
    assert s.phone_region == "GB"
    assert s.audio_pause_seconds == 120
    assert s.zone.key == "Europe/London"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("time_zone", "Mars/Olympus", "unknown time zone"),
        ("phone_region", "GBR", "two-letter"),
        ("clinic_name", "   ", "blank"),
        ("audio_pause_seconds", 59, "greater than or equal to 60"),
        ("audio_pause_seconds", 181, "less than or equal to 180"),
        ("news2_stale_minutes", 0, "greater than or equal to 5"),
    ],
)
def test_bad_values_are_refused_naming_the_field(field: str, value: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        ClinicSettings.model_validate({field: value})
    err = info.value.errors()[0]
    assert err["loc"] == (field,)
    assert fragment in err["msg"]


def test_region_is_normalised_and_unknown_keys_refused() -> None:
    assert ClinicSettings(phone_region=" ie ").phone_region == "IE"
    with pytest.raises(ValidationError):
        ClinicSettings.model_validate({"colour": "blue"})
