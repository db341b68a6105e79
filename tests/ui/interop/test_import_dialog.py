"""File ▸ Import… driven like a user: choose, map, pick the date format, check, import or
cancel; the folder is reopened afterwards to see what is really on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton, QRadioButton, QWidget

from hms_desktop.storage import Store
from hms_desktop.storage.patients import PATIENTS
from hms_desktop.ui.composition import close_context, open_context
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.interop.import_dialog import ImportDialog

ROWS = ("Given name,Family name,Date of birth,Sex,Phone\n"
        "Zoë,Núñez,03/04/1980,F,07911 123456\n"
        "Alan,Turing,31/02/1912,M,\n"
        "Grace,Hopper,09/12/1926,F,\n")


@pytest.fixture
def ctx(data_dir: Path, qapp: Any) -> Iterator[AppContext]:
    context = open_context(data_dir, actor="tester")
    yield context
    close_context(context)


def _find(root: QWidget, kind: type, name: str) -> Any:
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, f"{name}: {len(found)} widgets"
    return found[0]


def _on_disk(data_dir: Path) -> list[str]:
    store = Store(data_dir, read_only=True)
    try:
        return sorted(p.family_name for p in store.table(PATIENTS).all())
    finally:
        store.close()


def _open_and_check(qtbot: Any, ctx: AppContext, source: Path, valid_rows: bool) -> ImportDialog:
    dialog = ImportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load_file(source)
    qtbot.waitUntil(lambda: dialog.sheet is not None, timeout=10000)
    check = _find(dialog, QPushButton, "Check rows")
    assert not check.isEnabled()  # the date format must be chosen first
    dates = _find(dialog, QComboBox, "Date format")
    dates.setCurrentIndex(dates.findText("dd/mm/yyyy"))
    if valid_rows:
        _find(dialog, QRadioButton, "Import the valid rows").setChecked(True)
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10000)
    return dialog


def test_import_valid_rows_through_the_dialog(qtbot: Any, ctx: AppContext, tmp_path: Path,
                                              data_dir: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes(ROWS.encode("cp1252"))
    dialog = _open_and_check(qtbot, ctx, source, valid_rows=True)
    assert _find(dialog, QComboBox, "What the file holds").currentText() == "Patients"
    problems = _find(dialog, QListWidget, "Rows that cannot be imported")
    assert [problems.item(i).text() for i in range(problems.count())] == [
        "line 3: Date of birth: '31/02/1912' is not a valid date as dd/mm/yyyy"]
    importer = _find(dialog, QPushButton, "Import")
    qtbot.mouseClick(importer, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert "Imported 2 patients" in _find(dialog, QLabel, "Import summary").text()
    dialog.close()
    ctx.writer.shutdown()
    ctx.store.close()
    assert _on_disk(data_dir) == ["Hopper", "Núñez"]
    assert (tmp_path / "people.rejected.csv").exists()


def test_all_or_nothing_refuses_and_cancel_writes_nothing(qtbot: Any, ctx: AppContext,
                                                          tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(ROWS, encoding="utf-8")
    dialog = _open_and_check(qtbot, ctx, source, valid_rows=False)
    assert not _find(dialog, QPushButton, "Import").isEnabled()
    assert "Fix the rows" in _find(dialog, QLabel, "Import summary").text()
    qtbot.mouseClick(_find(dialog, QPushButton, "Cancel"), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    ctx.writer.shutdown()
    ctx.store.close()
    assert _on_disk(data_dir) == []


def _mnemonics(root: QWidget) -> list[str]:
    import re

    texts = [w.text() for w in root.findChildren(QLabel)] + \
        [w.text() for w in root.findChildren(QPushButton) + root.findChildren(QRadioButton)]
    from PySide6.QtWidgets import QCheckBox

    texts += [w.text() for w in root.findChildren(QCheckBox)]
    return [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]


def test_interop_dialogs_name_every_control_and_fit_the_screen(qtbot: Any, ctx: AppContext,
                                                                tmp_path: Path) -> None:
    from datetime import date

    from hms_desktop.interop.labels import label_content
    from hms_desktop.ui.interop.label_dialog import LabelDialog
    from tests.ui.test_shell_accessibility import _unnamed

    source = tmp_path / "people.csv"
    source.write_text(ROWS, encoding="utf-8")
    importer = ImportDialog(ctx)
    qtbot.addWidget(importer)
    importer.load_file(source)
    qtbot.waitUntil(lambda: importer.sheet is not None, timeout=10000)
    label = LabelDialog(label_content("PAT000001", "Ada", "Lovelace", date(1984, 3, 7), "female"))
    qtbot.addWidget(label)
    for dialog in (importer, label):
        dialog.show()
        assert _unnamed(dialog) == []
        keys = _mnemonics(dialog)
        assert len(keys) == len(set(keys)), keys
        smallest, opened = dialog.minimumSizeHint(), dialog.size()
        assert smallest.width() <= 1366 and smallest.height() <= 740  # can fit 1366x768
        assert opened.width() <= 1366 and opened.height() <= 740  # and opens that small
        dialog.close()
