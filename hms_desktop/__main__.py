"""``python -m hms_desktop <command>``; with no command (or only options) it starts the GUI.

Commands are the modules of ``hms_desktop.cli`` that define ``add_command(subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import hms_desktop.cli as cli_pkg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hms_desktop",
        description="HMS Desktop command-line tools. Without a command, starts the application.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{cli_pkg.__name__}.{info.name}")
        add_command = getattr(module, "add_command", None)
        if callable(add_command):
            add_command(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        from hms_desktop.app import main as gui_main

        return gui_main(args_list)
    args = build_parser().parse_args(args_list)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
