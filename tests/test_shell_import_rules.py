"""Layer rules import-linter cannot express (it forbids only whole external packages)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hms_desktop"


def _qt_imports(folder: Path) -> list[tuple[str, int, str]]:
    """(file relative to folder, line, imported module) for every PySide6 import."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + (
                    [f"{node.module}.{a.name}" for a in node.names] if node.module == "PySide6" else []
                )
            for name in names:
                if name.split(".")[0] == "PySide6":
                    found.append((str(path.relative_to(folder)), node.lineno, name))
    return found


def test_devices_use_only_qtcore_of_qt() -> None:
    bad = [f"devices/{file}:{line}: imports {name}" for file, line, name in _qt_imports(PACKAGE / "devices")
           if name not in ("PySide6.QtCore", "PySide6")]
    bad += [f"devices/{file}:{line}: imports the whole PySide6 package"
            for file, line, name in _qt_imports(PACKAGE / "devices") if name == "PySide6"]
    assert not bad, "\n".join(bad)


def test_the_rule_checker_sees_a_widget_import(tmp_path: Path) -> None:
    (tmp_path / "reader.py").write_text("from PySide6.QtWidgets import QLabel\nimport PySide6.QtCore\n")
    names = [name for _f, _l, name in _qt_imports(tmp_path)]
    assert names == ["PySide6.QtWidgets", "PySide6.QtCore"]

