"""A quick look at the care pages on their own: ``python -m hms_desktop.ui.care``.

Opens a throw-away data folder with care demo data (no patients table needed: pages work
on patient ids) and shows the four pages for PAT000001, or for ``--patient``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QTabWidget

from hms_desktop.services.demo import care
from hms_desktop.ui.care import CARE_PAGES
from hms_desktop.ui.composition import close_context, open_context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patient", default="PAT000001")
    parser.add_argument("--patients", type=int, default=400, help="demo patients to generate")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="hms-care-") as tmp:
        data = Path(tmp)
        ctx = open_context(data)
        care.generate(ctx.services, random.Random(1), patients=args.patients,
                      progress=lambda step, f: print(f"{step} {f:.0%}", file=sys.stderr))
        tabs = QTabWidget()
        tabs.setObjectName("care_pages")
        tabs.setAccessibleName("Care pages")
        tabs.setWindowTitle("HMS care pages (demo data)")
        for title, factory in CARE_PAGES:
            tabs.addTab(factory(ctx), title)
        ctx.current_patient.select(args.patient)
        tabs.resize(1300, 850)
        tabs.show()
        code = app.exec()
        close_context(ctx)
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
