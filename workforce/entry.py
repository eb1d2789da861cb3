"""The console entry point: imports the command line lazily, so that Ctrl-C while the heavy
libraries load (pandas, Pyomo, HiGHS: about a second) ends with exit 130 and one line, not a
traceback from deep inside an import."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from workforce.cli.commands import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted while starting: nothing was read or written\n")
        sys.exit(130)
    cli_main()
