"""`playground` / `python -m playground`: the window, or a headless sub-command."""

from __future__ import annotations

import sys

COMMANDS = {"run", "validate", "-h", "--help"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        from .cli import main as cli_main

        return cli_main(argv)
    from .gui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
