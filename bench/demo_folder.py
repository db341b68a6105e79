"""A 100,000-patient demo data folder built once and reused by the user-path benchmarks.

Building it (``demo.generate_all``) takes ~30 s; the benchmarks that write into a folder
work on a copy, so the original stays as generated and two benchmarks can share it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DEMO = Path(tempfile.gettempdir()) / "hms-bench" / "demo-100000"
_COMPLETE = ".bench-demo-complete"  # written last: a folder without it was interrupted


def demo_folder(path: Path = DEFAULT_DEMO, *, patients: int = 100_000, seed: int = 5) -> Path:
    """The demo folder at ``path``, generated first if it is missing or half-built."""
    marker = path / _COMPLETE
    if marker.exists() and marker.read_text(encoding="utf-8") == f"{patients} {seed}":
        return path
    from hms_desktop.services.session import close_session, open_session

    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    session = open_session(path, demo_if_empty=True, demo_patients=patients, demo_seed=seed)
    close_session(session)
    marker.write_text(f"{patients} {seed}", encoding="utf-8")
    return path


def working_copy(source: Path, parent: Path) -> Path:
    """A copy of ``source`` inside ``parent`` (same file system as the temporary folder)."""
    target = parent / "data"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(_COMPLETE, "*.lock"))
    return target


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_line() -> str:
    one, five, _ = os.getloadavg()
    busy = "shared with other engineers' jobs" if one >= 1.0 else "a quiet machine"
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores: {busy}"


def on_each_call(owner: Any, name: str, after: Callable[[float], None]) -> None:
    """Replace ``owner.name`` by a wrapper that calls ``after(perf_counter at the start)``
    when each call returns or raises (benchmark-only instrumentation)."""
    inner: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            after(began)

    setattr(owner, name, timed)
