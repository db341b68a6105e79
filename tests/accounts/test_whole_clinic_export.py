"""File ▸ Export ▸ FHIR bulk export of every patient, by the administrator the window is
signed in as: every patient leaves in the files and the export is in the access log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from hms_desktop.services.access_control import EXPORTED
from hms_desktop.ui.interop.fhir_dialogs import BulkExportDialog
from tests.accounts.gate_helpers import access_log, sign_in


@pytest.mark.slow
def test_the_administrator_exports_every_patient_from_the_menu(
        gated, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    window, gate, _sound, _now = gated(tmp_path / "data", demo=True)
    sign_in(qtbot, gate, "admin", "demo administrator desk")
    out = tmp_path / "export"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(out))  # the OS chooser
    assert window.interop.action_export_bulk.isEnabled()
    window.interop.action_export_bulk.trigger()
    dialog = window.findChild(BulkExportDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.outcome is not None or "Nothing exported" in dialog.status.text(),
                    timeout=60_000)
    assert dialog.outcome is not None, dialog.status.text()
    patients = len(window.ctx.services.patients.table)
    lines = (out / "Patient.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == patients == dialog.outcome.patients > 0
    assert {json.loads(line)["resourceType"] for line in lines} == {"Patient"}
    window.close()  # the access log is read from the folder, as an auditor would
    assert ("admin", EXPORTED) in [(e.user, e.action) for e in access_log(tmp_path / "data")]
