"""A quick look at the Schedule tab on its own: ``python -m hms_desktop.ui.schedule``.

Without ``--data-dir`` it fills a temporary folder with demo patients and schedules.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.demo import generate_all
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.context import AppContext
from hms_desktop.ui.schedule import create_tab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hms_desktop.ui.schedule")
    parser.add_argument("--data-dir", type=Path, help="an existing data folder (default: fresh demo data)")
    parser.add_argument("--patients", type=int, default=300, help="demo patients for a fresh folder")
    parser.add_argument("--quit-after", type=float, default=None, help=argparse.SUPPRESS)  # smoke tests
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    temp = None if args.data_dir else tempfile.TemporaryDirectory(prefix="hms-schedule-")
    data_dir = args.data_dir or Path(temp.name)  # type: ignore[union-attr]
    store = Store(data_dir)
    bus = EventBus()
    services = build_services(store, bus)
    if temp is not None:
        generate_all(services, patients=args.patients)
    writer = BackgroundWriter()
    ctx = AppContext(services=services, store=store, bus=bus, writer=writer, settings=ClinicSettings(),
                     data_dir=data_dir)
    tab = create_tab(ctx)
    tab.resize(1300, 850)
    tab.show()
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    try:
        return int(app.exec())
    finally:
        tab.close()
        writer.shutdown()
        store.close()
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
