"""A progress line for long commands: rewritten in place on a terminal, every 10 % otherwise.

Progress goes to stderr so a command's stdout stays clean for scripts and for the
File ▸ Check data dialog, which shows both.
"""

from __future__ import annotations

import sys


class ProgressLine:
    """One line rewritten in place on a terminal; a line per 10 % when piped to a file."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_decile = -1

    def __call__(self, step: str, fraction: float) -> None:
        percent = round(fraction * 100)
        if self.tty:
            print(f"\r{percent:3d}% {step[:70]:<70}", end="", file=sys.stderr, flush=True)
        elif percent // 10 != self.last_decile:
            self.last_decile = percent // 10
            print(f"{percent:3d}% {step}", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)
