"""Run one tab on its own (``python -m hms_desktop.ui.<tab>``), on a given or a demo data folder.

One function for every tab's ``__main__``: build store, services, writer and AppContext, fill a
fresh temporary folder with ``seed(services)``, show the tab, and close everything on exit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def quick_look(prog: str, create_tab: Callable[[Any], QWidget], seed: Callable[[Any, int], None],
               argv: list[str] | None = None, *, patients: int = 300,
               size: tuple[int, int] = (1200, 800)) -> int:
    """``seed(services, patients)`` fills a fresh folder; ``--data-dir`` opens an existing one."""
    from hms_desktop.ui.composition import close_context, open_context

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--data-dir", type=Path, help="an existing data folder (default: fresh demo data)")
    parser.add_argument("--patients", type=int, default=patients, help="demo patients for a fresh folder")
    parser.add_argument("--quit-after", type=float, default=None, help=argparse.SUPPRESS)  # smoke tests
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="hms-quick-look-") as temp:
        data_dir = args.data_dir or Path(temp)
        ctx = open_context(data_dir)
        if args.data_dir is None:
            seed(ctx.services, args.patients)
        tab = create_tab(ctx)
        tab.resize(*size)
        tab.show()
        if args.quit_after is not None:
            QTimer.singleShot(int(args.quit_after * 1000), app.quit)
        try:
            return int(app.exec())
        finally:
            tab.close()
            close_context(ctx)
