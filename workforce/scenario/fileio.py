"""Read an input file whole, safely: only regular files, never more than a cap.

Every file the planner names (a scenario, a variant, a study file, a CSV table) is read through
:func:`read_capped`. It looks at the path and the kind of file *before* opening it, so that a FIFO
(which would block forever), a device such as ``/dev/zero`` (which never ends), a folder, a
symlink loop, a path with a NUL byte or an over-long path each give one located message instead of
a hang, a memory blow-up or a traceback. The read itself is capped too, in case the file grows
between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from workforce.errors import Problem, ScenarioError

MAX_PATH_CHARS = 4096
"""Longest path accepted (Linux's PATH_MAX); longer ones are refused before the file system is asked."""


def check_path_text(text: str, display: str, *, line: int | None = None, key: str | None = None) -> None:
    """Refuse a path string that no file system can open: empty, with a NUL byte, or too long."""
    if "\x00" in text:
        raise ScenarioError(Problem("the path contains a NUL byte (\\0); write the file name without control characters",
                                    file=display, line=line, key=key))
    if len(text) > MAX_PATH_CHARS:
        raise ScenarioError(Problem(f"the path is {len(text):,} characters long; paths are limited to "
                                    f"{MAX_PATH_CHARS:,}", file=display, line=line, key=key))


def read_capped(path: Path, display: str, limit: int, what: str = "file", too_big: str = "") -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Raises :class:`ScenarioError` naming ``display`` for anything else (missing, a folder, a FIFO
    or device, a symlink loop, unreadable, too large)."""
    check_path_text(str(path), display)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ScenarioError(Problem(_os_reason(exc, what), file=display)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(Problem(f"is a folder, not a {what}", file=display))
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(Problem(f"is not a regular file (it is a {_kind(info.st_mode)}); give the path of a "
                                    f"{what}", file=display))
    if info.st_size > limit:
        raise ScenarioError(Problem(f"the file is {info.st_size:,} bytes; {what}s are limited to {limit:,} bytes"
                                    + (f". {too_big}" if too_big else ""), file=display))
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(Problem(_os_reason(exc, what), file=display)) from None
    if len(raw) > limit:
        raise ScenarioError(Problem(f"the file grew past the limit of {limit:,} bytes while it was read", file=display))
    return raw


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _os_reason(exc: OSError, what: str) -> str:
    if isinstance(exc, FileNotFoundError):
        from workforce.working_folder import working_folder

        if working_folder() is None and not os.path.isabs(str(exc.filename or "")):
            return ("file not found: the current folder no longer exists (it was deleted or moved while this "
                    "shell was in it), so a relative path leads nowhere; give an absolute path, or cd into an "
                    "existing folder")
        return "file not found"
    if isinstance(exc, PermissionError):
        return f"permission denied: the {what} (or a folder on its path) cannot be read by this user"
    if exc.errno == errno.ELOOP:
        return "the path is a symbolic link loop (a link that points back to itself)"
    if exc.errno == errno.ENAMETOOLONG:
        return "the path (or one of its parts) is too long for the file system"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path that should be a folder is a file"
    return f"cannot read the {what}: {exc.strerror or exc}"
