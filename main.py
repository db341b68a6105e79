"""Starts HMS Desktop: ``python main.py [--data-dir DIR] [--station] [--monitor BED=PORT...]``."""

import sys

from hms_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
