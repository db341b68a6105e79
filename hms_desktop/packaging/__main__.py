"""``python -m hms_desktop.packaging [--smoke-test] [--no-build]``: build (and test) the bundle.

The bundle is ``dist/hms-desktop/``; copy that folder to the clinic PC (docs/install.md).
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from hms_desktop.packaging.build import PROJECT_ROOT, SmokeTestFailed, build, describe, smoke_test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hms_desktop.packaging",
                                     description="Build the one-folder HMS Desktop bundle with PyInstaller.")
    parser.add_argument("--dist", type=Path, default=PROJECT_ROOT / "dist", help="output folder (dist/)")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "build", help="PyInstaller work folder")
    parser.add_argument("--no-build", action="store_true", help="only smoke-test an existing bundle")
    parser.add_argument("--smoke-test", action="store_true",
                        help="start the bundle offscreen on a fresh folder, check and back it up")
    parser.add_argument("--demo-patients", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"Building on {platform.system()} {platform.release()} ({sys.platform}, {platform.machine()})")
    bundle = args.dist / "hms-desktop"
    if not args.no_build:
        bundle = build(args.dist, args.work)
        print(f"Built {bundle}")
    if args.smoke_test:
        try:
            result = smoke_test(bundle, demo_patients=args.demo_patients)
        except SmokeTestFailed as exc:
            print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
            return 1
        print(f"Smoke test passed: {describe(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
