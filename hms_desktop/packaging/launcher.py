"""The bundled program's entry point: the same as ``python -m hms_desktop``.

With no command it starts the window; ``hms-desktop check --data-dir DIR`` and the other
commands work from the bundle too.

The app starts helper processes the way Python would: ``<sys.executable> -m MODULE ARGS``
(the station watchdog, File ▸ Check data folder). In the bundle ``sys.executable`` is this
program, so it honours ``-m`` itself; without that, each helper would start a second
window instead (the installer smoke test hung on exactly that).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import cast

from hms_desktop.__main__ import main


def run_module(module: str, argv: list[str]) -> int:
    """``python -m MODULE ARGV`` for the app's own modules: each defines ``main(argv)``."""
    if not module.startswith("hms_desktop"):
        print(f"hms-desktop: -m runs the program's own modules only, not {module!r}", file=sys.stderr)
        return 2
    imported = importlib.import_module(module)
    if hasattr(imported, "__path__"):  # a package runs its __main__, as Python does
        imported = importlib.import_module(f"{module}.__main__")
    entry = getattr(imported, "main", None)
    if not callable(entry):
        print(f"hms-desktop: {module} cannot be run (no main)", file=sys.stderr)
        return 2
    sys.argv = [module, *argv]
    return int(cast(Callable[[list[str]], int | None], entry)(argv) or 0)


def launch(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "-m":
        return run_module(argv[1], argv[2:])
    return main(argv)


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
