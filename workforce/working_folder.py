"""The current (working) folder when it may have been deleted under the process.

A shell can sit in a folder that another shell has removed (``rm -rf`` of a checkout, a cleaned
temporary folder). ``os.getcwd()`` then fails with FileNotFoundError, and so does every relative
path: nothing relative can be read or written. Absolute paths still work, so workforce does what
it can with them and refuses a relative output path with a message that says why (exit 4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workforce.errors import ExportError


def working_folder() -> Path | None:
    """The current folder, or None when it no longer exists (deleted or moved away)."""
    try:
        return Path(os.getcwd())
    except FileNotFoundError:
        return None


def gone_error(target: str | Path, what: str = "--out") -> ExportError:
    """The refusal of a relative output path when the current folder no longer exists (exit 4)."""
    return ExportError(
        f"cannot write to {what} {target}: the current folder no longer exists (it was deleted or moved while "
        "this shell was in it), so a relative path leads nowhere and nothing was written. Give an absolute "
        f"{what}, or cd into an existing folder and run the command again"
    )


@contextmanager
def workers_start_in(folder: Path, when: bool = True) -> Iterator[None]:
    """Run the block in ``folder`` when the current folder is gone (and ``when``), and come back after.

    Worker processes start in their parent's current folder (``multiprocessing`` passes
    ``os.getcwd()`` to each spawned worker), so a pool cannot start from a deleted one. Inside
    this block they start in ``folder`` (absolute, e.g. the study folder); no relative path is
    in use then, since none can work from a deleted folder. With a current folder that exists,
    nothing changes."""
    if not when or working_folder() is not None or not hasattr(os, "fchdir"):
        yield
        return
    back = os.open(".", os.O_RDONLY)  # the deleted folder itself: it can still be returned to
    try:
        os.chdir(Path(folder).resolve())
        try:
            yield
        finally:
            os.fchdir(back)
    finally:
        os.close(back)
