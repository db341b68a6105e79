"""Files the program needs at run time (the application icon), found beside this module in a
source checkout and inside the bundle alike."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
ICON_SVG = RESOURCES / "hms-desktop.svg"
ICON_PNG = RESOURCES / "hms-desktop.png"
COMMON_PASSWORDS = RESOURCES / "common-passwords.txt"
