"""The banner that stays while the data folder holds demo data, and the removal it offers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from hms_desktop.services.demo.marker import holds_demo


class DemoBanner(QLabel):
    TEXT = ("DEMO DATA — every patient in this folder is invented, not a real person. "
            "Remove it with File ▸ Remove demo data… before recording real patients.")

    def __init__(self) -> None:
        super().__init__(self.TEXT)
        self.setObjectName("demo_banner")
        self.setAccessibleName("Demo data banner")
        self.setWordWrap(True)
        self.setStyleSheet("background:#ffb300; color:#1a1a1a; font-weight:bold; padding:4px 8px;")
        self.hide()

    def follow(self, data_dir: Path) -> None:
        self.setVisible(holds_demo(data_dir))
