"""A quick look at the Record tab on its own: ``python -m hms_desktop.ui.record [--data-dir DIR]``.

Without a data folder it uses a temporary one with demo records for ten patients.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--patient", default="PAT000001")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from hms_desktop.services.demo import patients as demo_patients
    from hms_desktop.services.demo.record import build_records
    from hms_desktop.ui.composition import close_context, open_context
    from hms_desktop.ui.record.tab import RecordTab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="hms-record-"))
    ctx = open_context(data_dir)
    services = ctx.services
    if args.data_dir is None:
        demo_patients.generate(services, random.Random(1), patients=10, progress=lambda step, f: None)
        rng = random.Random(1)
        for pid in services.patients.ids():
            for section, rows in build_records(pid, rng, date.today(), scale=3).items():
                services.record.add_many(section, rows)
    tab = RecordTab(ctx)
    tab.setWindowTitle(f"Record — {data_dir}")
    tab.resize(1200, 800)
    tab.show()
    ctx.current_patient.select(args.patient)
    try:
        return int(app.exec())
    finally:
        close_context(ctx)


if __name__ == "__main__":
    raise SystemExit(main())
