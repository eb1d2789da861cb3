"""What an interrupted or older workforce left in an output folder's parent, and what to do with it.

* A process killed while writing (``kill -9``, a power cut) leaves its hidden staging folder
  ``.NAME.partial-PID-XXXX`` beside the target, or, if it was killed between the two renames that
  swap a finished folder in, the earlier folder as ``.NAME.previous-PID-XXXX`` with NAME absent.
  The next command that writes into the same parent (any command, any NAME) removes the staging
  folders of processes that no longer run, puts a ``previous`` folder back where NAME is missing,
  and says so on standard error. A folder whose process still runs is never touched: that process
  is writing it.
* A run folder written by a workforce from before folders carried a marker has a manifest
  (``manifest_version`` 1) without one. It is accepted as the tool's own only when that manifest
  lists every file in the folder with the same sha256; otherwise the message names the folder and
  says how to proceed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

LEFT_BEHIND = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|previous)-(?P<pid>\d+)-[A-Za-z0-9_]+$")
"""The hidden folders :func:`workforce.output_safety.write_folder` and ``swap_in`` create."""


def clear_left_behind(parent: Path) -> list[str]:
    """Remove the staging folders, and restore the swapped-out folders, that workforce processes
    which no longer run left in ``parent``; return one line per folder, saying what was done."""
    from workforce.output_safety import pid_alive

    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return []
    notes = []
    for entry in entries:
        match = LEFT_BEHIND.match(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(match["pid"])
        if pid_alive(pid):
            continue  # that process is still writing it
        target = parent / match["name"]
        if match["kind"] == "previous" and not target.exists() and not target.is_symlink():
            os.rename(entry, target)
            notes.append(f"restored {target}: workforce process {pid} was stopped while replacing it, and had "
                         f"moved it aside as {entry.name}")
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            notes.append(f"removed {entry}, an unfinished output folder left by workforce process {pid}, which "
                         "was stopped while writing (it no longer runs)")
    return notes


def announce(notes: list[str]) -> None:
    """Tell the planner what was cleared (standard error, one line each)."""
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def legacy_listing(folder: Path) -> dict[str, str] | None:
    """The file listing of a run folder written before folders carried workforce's marker (a run
    manifest, ``manifest_version`` 1, with its scenario and solver record and no ``tool`` key),
    or None when ``folder`` holds no such manifest."""
    path = folder / "manifest.json"
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        record: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or "tool" in record or record.get("manifest_version") != 1:
        return None
    outputs = record.get("outputs")
    files = outputs.get("sha256") if isinstance(outputs, dict) else None
    if not isinstance(record.get("scenario"), dict) or not isinstance(record.get("solver"), dict):
        return None
    if not isinstance(files, dict) or not files or not all(isinstance(v, str) for v in files.values()):
        return None
    return files


def legacy_problem(folder: Path, kind: str | None, foreign: str | None) -> str | None:
    """Why the older run folder ``folder`` may not be replaced by a ``kind`` folder (``foreign``:
    the first file its manifest does not prove), or None when its manifest proves every file."""
    if kind not in (None, "run"):
        return (f"{folder} holds a run folder written by an older workforce, not a {kind} folder; remove {folder} "
                "yourself if you no longer need it")
    if foreign is None:
        return None
    return (f"{folder} was written by an older workforce, before its folders carried a marker, and its manifest "
            f"does not prove every file ({foreign}); remove {folder} yourself if you no longer need it")
