"""Ctrl-C during a study: what was kept and how to go on (issue 17)."""

from __future__ import annotations

from pathlib import Path


class StudyInterrupted(KeyboardInterrupt):
    """A study stopped by Ctrl-C. It is still a :class:`KeyboardInterrupt` (code that stops on
    one keeps stopping); ``kept`` points of ``total`` are finished in ``out`` and a rerun of the
    same study resumes from them."""

    def __init__(self, out: Path, kept: int, total: int):
        self.out, self.kept, self.total = Path(out), kept, total
        super().__init__(interrupted_message(self.out, kept, total))


def interrupted_message(out: Path, kept: int, total: int) -> str:
    """One line for the planner: how many points are kept, where, and how to resume or start over."""
    if kept == 0:
        return (f"interrupted: no finished point is in {out} (0 of {total:,}); run the same command "
                "again to run the study")
    points = "point is" if kept == 1 else "points are"
    return (f"interrupted: {kept:,} of {total:,} {points} finished and kept in {out}; run the same command "
            "again to resume from them (add --restart to discard them and start over)")
