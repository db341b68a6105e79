"""The README's promises that can drift: the test command CI runs, the screenshot, the commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^sudo .*$", README, re.M)
    assert len(commands) == 2  # the first screen: start the app, run the tests
    start, tests = commands
    assert start.endswith("python main.py") and tests.endswith("python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^python -m pytest -q$", ci, re.M)
    assert ".ci/system-packages.txt" in ci and ".ci/system-packages.txt" in start


def test_screenshot_is_a_real_png() -> None:
    image = ROOT / "resources" / "screenshot.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "resources/screenshot.png" in README


def test_every_command_line_tool_is_documented() -> None:
    # The command is the name given to add_parser (a module name cannot be "import" or hold "-").
    # Only the top-level commands (subparsers.add_parser); a command's own actions, like
    # `users add`, are documented on the command's line.
    commands = [name for p in (ROOT / "hms_desktop" / "cli").glob("*.py")
                for name in re.findall(r'subparsers\.add_parser\(\s*"([\w-]+)"', p.read_text(encoding="utf-8"))]
    assert commands
    for name in commands:
        # A module cli/export_csv.py is the command "export-csv" (argparse names may have hyphens).
        assert f"python -m hms_desktop {name.replace('_', '-')}" in README, name
