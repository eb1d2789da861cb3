"""The console entry point: imports the command line lazily, so that Ctrl-C while the heavy
libraries load (pandas, Pyomo, HiGHS: about a second) ends with exit 130 and one line, not a
traceback from deep inside an import."""

from __future__ import annotations

import os
import sys

PIPE_CLOSED = 130
"""Exit code when the reader of standard output goes away (``| head``): an interruption."""


def main() -> None:
    try:
        from workforce.cli.commands import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted while starting: nothing was read or written\n")
        sys.exit(130)
    try:
        cli_main()
    except SystemExit as exc:
        flush_stdout()  # the interpreter's own final flush would print a BrokenPipeError report
        raise SystemExit(exc.code) from None
    except BrokenPipeError:
        stdout_closed()
    flush_stdout()


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()


def stdout_closed() -> None:
    """Standard output was closed by its reader (``workforce sweep ... | head -1``): point it at
    /dev/null so nothing more fails on it, say so on standard error, and exit 130 (interrupted)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.stderr.write("standard output was closed by the program reading it; workforce stopped there\n")
    sys.exit(PIPE_CLOSED)
