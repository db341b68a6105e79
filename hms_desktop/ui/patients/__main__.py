"""A quick look at the Patients tab on its own: ``python -m hms_desktop.ui.patients``.

Without ``--data-dir`` it fills a temporary folder with demo patients.
"""

from __future__ import annotations

import random
from typing import Any

from hms_desktop.services.demo import patients as demo_patients
from hms_desktop.ui.common.quick_look import quick_look
from hms_desktop.ui.patients import create_tab


def seed(services: Any, patients: int) -> None:
    demo_patients.generate(services, random.Random(1), patients=patients, progress=lambda *_: None)


if __name__ == "__main__":
    raise SystemExit(quick_look("python -m hms_desktop.ui.patients", create_tab, seed,
                                patients=2000, size=(1100, 700)))
