"""What a study says when its folder cannot be written (exit 4): why, in a planner's words, what
of the study is on disk (counted, not assumed), and what to do about it.

A study writes each point as it finishes, so a write that fails part way leaves the points
before it: the message says how many are there, "nothing was written" only when nothing was,
and advice that fits the cause (space for a full disk, another folder for a read-only one).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from workforce.errors import ExportError
from workforce.output_safety import reason

_ADVICE = {
    errno.ENOSPC: "free some space and run the same command again",
    errno.EDQUOT: "free some space (your disk quota is used up) and run the same command again",
    errno.EROFS: "make the folder writable, or choose another --out",
    errno.EACCES: "make the folder writable, or choose another --out",
    errno.EPERM: "make the folder writable, or choose another --out",
    errno.ENOENT: "a folder on the way was removed while the study ran (or never existed); run the command "
                  "again from an existing folder, or choose another --out",
    errno.ENOTDIR: "choose another --out",
    errno.EEXIST: "choose another --out",
}


def finished_points(out: Path) -> int | None:
    """How many finished points (partitions) the study folder holds; None when it is absent."""
    results = out / "results"
    try:
        if not out.is_dir():
            return None
        if not results.is_dir():
            return 0
        return sum(1 for p in results.iterdir() if p.name.startswith("point=") and p.is_dir())
    except OSError:
        return None


def on_disk(out: Path | None) -> str:
    """What of the study is in ``out`` now, in words that are true."""
    if out is None:
        return "nothing was written"
    n = finished_points(out)
    if n is None:
        return "nothing was written"
    if n == 0:
        return f"no finished point is in {out}"
    points = "1 finished point" if n == 1 else f"{n} finished points"
    return f"the {points} in {out} {'is' if n == 1 else 'are'} kept, and a rerun resumes from there"


def study_write_error(exc: OSError, out: Path | None, what: str = "") -> ExportError:
    """The exit-4 error for a study whose folder (or ``what`` in it) could not be written."""
    code = getattr(exc, "errno", None)
    advice = _ADVICE.get(code, "run the same command again") if isinstance(code, int) else "run the same command again"
    where = f"{what} in {out}" if what and out is not None else str(out or "its folder")
    return ExportError(f"could not write the study ({where}): {reason(exc)}. {on_disk(out).capitalize()}; {advice}")


@contextlib.contextmanager
def study_writes(out: Path, what: str) -> Iterator[None]:
    """Turn an OSError of writing ``what`` into the study's exit-4 error (:func:`study_write_error`)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk, or the folder made read-only or removed while the study ran
        raise study_write_error(exc, out, what) from None


def remove_new_folders(out: Path, existed: bool) -> None:
    """After a failed start, remove the empty folders the study made in a folder that did not
    exist before, so that "nothing was written" stays true. Only empty folders are removed."""
    if existed:
        return
    for folder in (out / "results", out / "failures", out):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def interrupted_text(spec: Path, out: Path | None) -> str:
    """What Ctrl-C during a study leaves, counted: the finished points are kept (each is written
    as it finishes), or nothing was written."""
    if out is None:
        try:
            from workforce.studies.spec import load_study
            from workforce.studies.sweep import default_out

            out = default_out(load_study(spec)[0])
        except Exception:  # noqa: BLE001 - an unreadable spec: no study folder was made
            out = None
    return f"interrupted: {on_disk(out)}"
