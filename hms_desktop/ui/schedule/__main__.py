"""A quick look at the Schedule tab on its own: ``python -m hms_desktop.ui.schedule``.

Without ``--data-dir`` it fills a temporary folder with demo patients and schedules.
"""

from __future__ import annotations

from typing import Any

from hms_desktop.services.demo import generate_all
from hms_desktop.ui.common.quick_look import quick_look
from hms_desktop.ui.schedule import create_tab


def seed(services: Any, patients: int) -> None:
    generate_all(services, patients=patients)


def main(argv: list[str] | None = None) -> int:
    return quick_look("python -m hms_desktop.ui.schedule", create_tab, seed, argv, size=(1300, 850))


if __name__ == "__main__":
    raise SystemExit(main())
