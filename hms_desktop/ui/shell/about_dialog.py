"""Help ▸ About: what this program is, which versions run, where the data is, and what it
must not be used for (it is not a certified medical device)."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

INTENDED_USE = (
    "Intended use: record keeping, scheduling and a second view of pulse-oximeter readings "
    "for a clinic. HMS Desktop is NOT a certified medical device and must not be relied on "
    "as the primary alarm: keep the oximeter's own alarms switched on and audible."
)
LIBRARIES = ("pydantic", "pandas", "numpy", "pyqtgraph", "pyserial", "icalendar", "phonenumbers")


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_lines(data_dir: Path) -> list[str]:
    """Everything a support request needs, one fact per line (also copied as text)."""
    return [
        f"HMS Desktop {version_of('hms-desktop')}",
        f"Data folder: {data_dir}",
        f"Python {platform.python_version()} ({platform.system()} {platform.machine()})",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        "Libraries: " + ", ".join(f"{name} {version_of(name)}" for name in LIBRARIES),
        "Licence: MIT (see the LICENSE file shipped with the program)",
    ]


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About HMS Desktop")
        self.setObjectName("about_dialog")
        self.setAccessibleName("About HMS Desktop")
        self.facts = QLabel("\n".join(about_lines(data_dir)), self)
        self.facts.setObjectName("about_facts")
        self.facts.setAccessibleName("Version and data folder")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(self.facts.textInteractionFlags()
                                           | self.facts.textInteractionFlags().TextSelectableByMouse)
        self.intended_use = QLabel(INTENDED_USE, self)
        self.intended_use.setObjectName("about_intended_use")
        self.intended_use.setAccessibleName("Intended use")
        self.intended_use.setWordWrap(True)
        self.intended_use.setStyleSheet("font-weight: bold; color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("about_buttons")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intended_use)
        layout.addWidget(self.facts)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.resize(560, self.sizeHint().height())
