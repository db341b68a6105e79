"""The bundled program's entry point: the same as ``python -m hms_desktop``.

With no command it starts the window; ``hms-desktop check --data-dir DIR`` and the other
commands work from the bundle too.
"""

from __future__ import annotations

import sys

from hms_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
