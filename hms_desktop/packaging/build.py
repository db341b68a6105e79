"""Build the one-folder bundle from ``hms_desktop.spec`` and prove that it runs.

The smoke test is what a clinic's first start does: the bundled executable opens a fresh
data folder offscreen, fills it with demo data, shows every tab, closes; then the bundled
``check`` must find the folder clean and an encrypted backup must verify. Each step has a
time limit, so a hung bundle fails the build instead of stalling CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGING.parent.parent
SPEC = PACKAGING / "hms_desktop.spec"
NAME = "hms-desktop"


class SmokeTestFailed(RuntimeError):
    """A step of the smoke test failed; the message names the step and shows its output."""


@dataclass(frozen=True)
class SmokeResult:
    bundle_bytes: int
    first_start_seconds: float  # fresh folder: demo data generated, every tab opened
    start_seconds: float  # second start on that folder until every tab is open
    demo_patients: int


def build(dist: Path, work: Path, *, timeout: float = 1800) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder ``dist/hms-desktop``."""
    env = {**os.environ, "HMS_PROJECT_ROOT": str(PROJECT_ROOT)}
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                   check=True, env=env, cwd=PROJECT_ROOT, timeout=timeout)
    return dist / NAME


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _run(step: str, args: list[str], env: dict[str, str], timeout: float) -> float:
    started = time.perf_counter()
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise SmokeTestFailed(f"{step}: no exit within {timeout:.0f} s\n{exc.stderr or ''}") from None
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SmokeTestFailed(f"{step}: exit code {result.returncode}\n{result.stdout[-3000:]}\n"
                              f"{result.stderr[-3000:]}")
    return elapsed


def smoke_test(bundle: Path, *, demo_patients: int = 200, timeout: float = 300) -> SmokeResult:
    exe = str(executable(bundle))
    if not Path(exe).is_file():
        raise SmokeTestFailed(f"no executable at {exe}")
    with tempfile.TemporaryDirectory(prefix="hms-smoke-") as scratch:
        home = Path(scratch)
        data = home / "fresh data folder"
        # A fresh user: no settings, logs and data of the person running the build.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "share"),
               "HMS_LOG_DIR": str(home / "logs"), "HMS_BACKUP_PASSPHRASE": "smoke test passphrase",
               # the demo folder's administrator (services/accounts.py::DEMO_ACCOUNTS) backs up
               "HMS_PASSWORD": "demo administrator desk",
               "QT_LOGGING_RULES": "qt.multimedia*=false"}
        env.pop("PYTHONPATH", None)  # the bundle must stand alone
        first = _run("first start (demo data, every tab)",
                     [exe, "--data-dir", str(data), "--demo-patients", str(demo_patients),
                      "--quit-when-ready"], env, timeout)
        if not (data / "patients.csv").is_file():
            raise SmokeTestFailed(f"first start: no demo data in {data}")
        again = _run("second start", [exe, "--data-dir", str(data), "--quit-when-ready"], env, timeout)
        _run("check", [exe, "check", "--data-dir", str(data)], env, timeout)
        backup = home / "smoke.hmsbak"
        _run("encrypted backup", [exe, "backup", "--data-dir", str(data), "--to", str(backup),
                                         "--user", "admin"], env, timeout)
        _run("backup --verify", [exe, "backup", "--verify", str(backup)], env, timeout)
    return SmokeResult(folder_bytes(bundle), first, again, demo_patients)


def describe(result: SmokeResult) -> str:
    return (f"bundle {result.bundle_bytes / 1e6:.0f} MB; first start with {result.demo_patients} demo "
            f"patients {result.first_start_seconds:.1f} s; start-up {result.start_seconds:.1f} s")
