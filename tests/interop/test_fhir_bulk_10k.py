"""The bulk export of a 10,000-patient demo folder is valid NDJSON, every line a valid resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class

from hms_desktop.__main__ import main
from hms_desktop.services.session import close_session, open_session
from tests.cli_accounts import DEMO_PASSWORDS


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_bulk_export_of_10000_patients_is_valid_ndjson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "demo"
    close_session(open_session(folder, demo_if_empty=True, demo_patients=10_000, demo_seed=3))
    out = tmp_path / "export"
    monkeypatch.setenv("HMS_PASSWORD", DEMO_PASSWORDS["admin"])
    assert main(["fhir-export", "--data-dir", str(folder), "--out", str(out), "--user", "admin"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    total = 0
    for entry in manifest["output"]:
        with open(out / entry["url"], encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        assert lines.pop() == ""  # every line ends with a newline, none is blank
        assert len(lines) == entry["count"]
        model = get_fhir_model_class(entry["type"])
        for line in lines:  # all of them, not the exporter's sample
            model.model_validate_json(line)
        total += len(lines)
    assert {e["type"] for e in manifest["output"]} >= {"Patient", "Observation", "Condition"}
    assert next(e["count"] for e in manifest["output"] if e["type"] == "Patient") == 10_000
    assert total > 100_000
