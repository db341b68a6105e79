"""Command-line tools: ``python -m hms_desktop <command>``.

Each module here that defines ``add_command(subparsers)`` is one command; ``__main__``
discovers them, so a feature adds a command by adding a module and nothing else.
``add_command`` registers an argparse sub-parser and sets ``func=run`` where
``run(args) -> int`` returns the exit code.
"""
