"""A 100,000-patient demo data folder built once and reused by the user-path benchmarks.

Building it (``demo.generate_all``) takes ~30 s; the benchmarks that write into a folder
work on a copy, so the original stays as generated and two benchmarks can share it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DEMO = Path(tempfile.gettempdir()) / "hms-bench" / "demo-100000"
_COMPLETE = ".bench-demo-complete"  # written last: a folder without it was interrupted
_ROOT = Path(__file__).resolve().parent.parent


def _generator_fingerprint() -> str:
    """The demo generator's and the storage engine's sources: a folder built by other code
    (other demo records, an older file layout, no rows caches) is built again."""
    digest = hashlib.sha256()
    for package in ("hms_desktop/services/demo", "hms_desktop/storage"):
        for source in sorted((_ROOT / package).rglob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def demo_folder(path: Path = DEFAULT_DEMO, *, patients: int = 100_000, seed: int = 5) -> Path:
    """The demo folder at ``path`` as the app leaves it after its first start (generated,
    closed, opened once more so every table's rows cache is written), generated first if it
    is missing, half-built or built by other code."""
    marker = path / _COMPLETE
    built_as = f"{patients} {seed} {_generator_fingerprint()}"
    if marker.exists() and marker.read_text(encoding="utf-8") == built_as:
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    # In a child process, so the benchmark's own memory figures start from a clean process.
    subprocess.run([sys.executable, __file__, str(path), str(patients), str(seed)], check=True)
    marker.write_text(built_as, encoding="utf-8")
    return path


def _build(path: Path, patients: int, seed: int) -> None:
    sys.path.insert(0, str(_ROOT))
    from hms_desktop.services.session import close_session, open_session

    session = open_session(path, demo_if_empty=True, demo_patients=patients, demo_seed=seed)
    close_session(session)
    close_session(open_session(path))  # a clean load writes the rows caches a checkpoint did not


def working_copy(source: Path, parent: Path) -> Path:
    """A copy of ``source`` inside ``parent`` (same file system as the temporary folder)."""
    target = parent / "data"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(_COMPLETE, "*.lock"))
    return target


def open_in_fresh_process(data: Path, *, without_rows_caches: bool = False) -> tuple[float, float]:
    """``open_session`` until ready (every table, every index) in a new process with the
    libraries already imported: (milliseconds, MB of RSS grown). ``without_rows_caches``
    deletes ``.cache/`` first: the first open after an upgrade, or after every table was
    re-saved in a spreadsheet (the open writes the caches again)."""
    if without_rows_caches:
        shutil.rmtree(data / ".cache", ignore_errors=True)
    script = ("import sys, time; sys.path.insert(0, sys.argv[2]);"
              "from bench.demo_folder import rss_mb;"
              "from hms_desktop.services.session import open_session, close_session;"
              "r = rss_mb(); t = time.perf_counter(); s = open_session(__import__('pathlib').Path(sys.argv[1]));"
              "print((time.perf_counter() - t) * 1000, rss_mb() - r); close_session(s)")
    out = subprocess.run([sys.executable, "-c", script, str(data), str(_ROOT)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


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


if __name__ == "__main__":
    _build(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
