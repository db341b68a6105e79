"""Writes one benchmark's section of docs/benchmarks.md, leaving the other sections alone."""

from __future__ import annotations

import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nFigures measured on the project's CI class of machine (2 cores, 24 GiB).\n"


def machine_line() -> str:
    return (f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
            f"{platform.machine()}, {platform.system()}_")


def write_section(area: str, markdown: str, path: Path = BENCHMARKS_MD) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    begin, end = f"<!-- bench:{area} -->", f"<!-- /bench:{area} -->"
    block = f"{begin}\n{markdown.strip()}\n\n{machine_line()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote section '{area}' of {path}", file=sys.stderr)
