"""Where the installed program keeps data and logs on each OS (never inside the installation).

| OS | data folder | logs |
|---|---|---|
| Linux | ``~/.local/share/HMS Desktop/data`` (``$XDG_DATA_HOME``) | ``~/.local/state/HMS Desktop/log`` |
| macOS | ``~/Library/Application Support/HMS Desktop/data`` | ``~/Library/Logs/HMS Desktop`` |
| Windows | ``%LOCALAPPDATA%\\HMS Desktop\\HMS Desktop\\data`` | ``…\\HMS Desktop\\Logs`` |

The OS is read at call time (``sys.platform``), so each branch can be tested on any machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs.api import PlatformDirsABC
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

APP_NAME = "HMS Desktop"


def _dirs() -> PlatformDirsABC:
    if sys.platform == "win32":
        return Windows(APP_NAME, APP_NAME)
    if sys.platform == "darwin":
        return MacOS(APP_NAME, APP_NAME)
    return Unix(APP_NAME, APP_NAME)


def user_data_dir() -> Path:
    """The default data folder of an installed HMS Desktop for this OS user."""
    return Path(_dirs().user_data_dir) / "data"


def user_log_dir() -> Path:
    return Path(_dirs().user_log_dir)


def is_inside(path: Path, folder: Path) -> bool:
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents
