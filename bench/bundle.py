"""Size and start-up time of the clinic bundle (PyInstaller, one folder).

Run: python bench/bundle.py [--dist DIR] [--no-build]

Builds ``dist/hms-desktop/`` (unless --no-build) and runs the same smoke test as CI; the
start-up time is the bundled executable's second start on its demo folder until every tab
is open, offscreen, in a fresh process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from hms_desktop.packaging.build import build, smoke_test  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    build_s = 0.0
    if not args.no_build:
        started = time.perf_counter()
        build(args.dist, args.work)
        build_s = time.perf_counter() - started
    result = smoke_test(args.dist / "hms-desktop")
    built = f"built in {build_s / 60:.0f} min; " if build_s else ""
    markdown = (
        "## Clinic bundle (PyInstaller, Linux)\n\n"
        f"`/work/venv/bin/python bench/bundle.py{' --no-build' if args.no_build else ''}` — "
        f"{built}the smoke test of `python -m hms_desktop.packaging --smoke-test`. The machine was "
        "shared with other engineers' builds and tests (2 cores) while this was measured.\n\n"
        "| figure | measured |\n|---|---|\n"
        f"| bundle size (`dist/hms-desktop/`) | {result.bundle_bytes / 1e6:.0f} MB |\n"
        f"| first start on a fresh folder: {result.demo_patients} demo patients generated, every tab open, exit | "
        f"{result.first_start_seconds:.1f} s |\n"
        f"| start-up of the bundled executable on that folder until every tab is open, exit | "
        f"{result.start_seconds:.1f} s |")
    print(markdown)
    write_section("bundle", markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
