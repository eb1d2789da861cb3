"""Output safety: the tool deletes or replaces only what it can prove it wrote.

Every folder a command writes (a run, its charts, a comparison, an explanation) is written whole
into a hidden staging folder beside the target and renamed into place, with ``manifest.json``
written last. The manifest carries the tool's marker (``"tool": "workforce"``, the kind of folder
and the folder format) and the sha256 of every file in the folder (``outputs.sha256``); a
subfolder with a manifest of its own (a run's ``charts/``) answers for itself.

An existing folder is replaced only when every file in it is proven ours: listed in its manifest
with the same sha256, or in a subfolder whose own manifest proves it. Anything else (a scenario,
a CSV a scenario reads, a file the manifest does not list, a file edited since, a planted
``manifest.json`` without the marker) makes the command refuse with exit 4 and a message naming
that file; nothing is deleted or written. No command writes over, or replaces a folder holding, a
file that a loaded scenario, variant or study reads, nor replaces the current folder or one of
its parents.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.errors import ExportError
from workforce.output_recovery import announce, clear_left_behind, legacy_listing, legacy_problem

TOOL = "workforce"
FOLDER_FORMAT = 1
"""Version of the folder marker and file listing; a folder of another format is not replaced."""
MANIFEST = "manifest.json"
KINDS = ("run", "charts", "compare", "explain")


# ----------------------------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------------------------


def json_ready(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, inf) replaced by None and numpy scalars,
    tuples, sets and paths made plain, so that the JSON written is valid JSON."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    return value


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """Valid JSON (no NaN or Infinity: missing values are null) for ``value``, with a newline."""
    return json.dumps(json_ready(value), indent=indent, ensure_ascii=False, allow_nan=False, default=str) + "\n"


# ----------------------------------------------------------------------------------------------
# Proving a folder ours
# ----------------------------------------------------------------------------------------------


def marker(kind: str) -> dict[str, Any]:
    """The keys that mark a manifest as one this tool wrote for a ``kind`` folder."""
    return {"tool": TOOL, "folder": kind, "folder_format": FOLDER_FORMAT}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def listing(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative POSIX paths), except its manifest and
    subfolders that carry a manifest of their own."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.as_posix() == MANIFEST or not path.is_file():
            continue
        if any((folder / parent / MANIFEST).is_file() for parent in list(rel.parents)[:-1]):
            continue
        out[rel.as_posix()] = sha256_file(path)
    return out


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The manifest of ``folder`` when it carries this tool's marker, else None."""
    path = folder / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("tool") != TOOL or record.get("folder_format") != FOLDER_FORMAT:
        return None
    files = record.get("outputs", {}).get("sha256") if isinstance(record.get("outputs"), dict) else None
    if record.get("folder") not in KINDS or not isinstance(files, dict):
        return None
    return record


def unowned(folder: Path, kind: str | None) -> str | None:
    """Why ``folder`` may not be replaced by a ``kind`` folder (naming the file in the way), or
    None when it is absent, empty or proven to be wholly this tool's (``kind`` None: any kind)."""
    if not folder.exists() and not folder.is_symlink():
        return None
    if folder.is_symlink() or not folder.is_dir():
        return f"{folder} is a file, not a folder"
    entries = sorted(folder.iterdir())
    if not entries:
        return None
    record = read_marker(folder)
    if record is None and (legacy := legacy_listing(folder)) is not None:  # written before the marker
        return legacy_problem(folder, kind, _first_foreign(folder, folder, legacy) if kind in (None, "run") else None)
    if record is None:
        first = folder / MANIFEST if (folder / MANIFEST).exists() else entries[0]
        why = "its manifest.json was not written by workforce" if first.name == MANIFEST else "workforce did not write it"
        return f"{first} is in the way ({why})"
    if kind is not None and record["folder"] != kind:
        return f"{folder} holds a workforce {record['folder']} folder, not a {kind} folder ({folder / MANIFEST})"
    return _first_foreign(folder, folder, record["outputs"]["sha256"])


def _first_foreign(base: Path, folder: Path, listed: dict[str, str]) -> str | None:
    for entry in sorted(folder.iterdir()):
        rel = entry.relative_to(base).as_posix()
        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):
            return f"{entry} is in the way (workforce does not write links or special files)"
        if entry.is_dir():
            inner = unowned(entry, None) if (entry / MANIFEST).exists() else _first_foreign(base, entry, listed)
            if inner:
                return inner
        elif rel == MANIFEST and folder == base:
            continue
        elif rel not in listed:
            return f"{entry} is in the way (its manifest.json does not list it, so workforce did not write it)"
        elif sha256_file(entry) != listed[rel]:
            return f"{entry} is in the way (it changed after workforce wrote it)"
    return None


# ----------------------------------------------------------------------------------------------
# Inputs and the current folder are never written over
# ----------------------------------------------------------------------------------------------


def _resolved(path: str | Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def guard_target(target: Path, protected: Iterable[str | Path] = (), *, what: str = "--out") -> None:
    """Refuse (exit 4) a ``target`` file or folder that is, or holds, a file a loaded scenario,
    variant or study reads, or that is the current folder or one of its parents."""
    from workforce.working_folder import gone_error, working_folder

    cwd = working_folder()  # None: deleted under the process; only absolute paths work then
    if cwd is None and not Path(target).is_absolute():
        raise gone_error(target, what)
    real = _resolved(target)
    for path in protected:
        if cwd is None and not Path(path).is_absolute():
            continue  # nothing relative can have been read from a deleted folder
        source = _resolved(path)
        if source == real or real in source.parents:
            raise ExportError(
                f"{what} {target} would write over {path}, which the scenario or study reads; "
                "nothing was written. Choose another output folder"
            )
    if cwd is None:
        return  # the current folder is gone: the target cannot be it
    here = _resolved(cwd)
    if real == here or real in here.parents:
        raise ExportError(
            f"{what} {target} is the current folder{'' if real == here else ' or one of its parents'}: workforce "
            "writes its outputs into a folder of their own and never replaces the folder you work in; "
            "give a new folder name, e.g. --out results/mine"
        )


def check_replaceable(target: Path, kind: str, protected: Iterable[str | Path] = (), *, what: str = "--out") -> None:
    """Everything that must hold before a ``kind`` folder is written to ``target`` (exit 4 if not)."""
    guard_target(target, protected, what=what)
    problem = unowned(target, kind)
    if problem:
        raise ExportError(
            f"cannot write to {target}: {problem}. workforce replaces only folders it wrote itself and "
            "nothing was changed; choose a new folder with --out, or move that file away"
        )


# ----------------------------------------------------------------------------------------------
# Writing a folder whole
# ----------------------------------------------------------------------------------------------


def write_folder(target: str | Path, kind: str, fill: Callable[[Path], Any], *,
                 protected: Iterable[str | Path] = (),
                 manifest: Callable[[dict[str, str]], dict[str, Any]] | None = None,
                 what: str = "--out") -> list[str]:
    """Write a ``kind`` folder at ``target`` whole, or not at all; return the names of its files.

    ``fill(staging)`` writes the files into a hidden staging folder beside ``target``; then the
    manifest (``manifest(files)`` plus the marker, or just the marker and the listing) is written
    last and the staging folder replaces ``target`` by renames. Any error or interruption
    (Ctrl-C) removes the staging folder and leaves ``target`` exactly as it was.
    """
    out = Path(target)
    protected = list(protected)
    check_replaceable(out, kind, protected, what=what)
    absolute = out.absolute()
    try:
        absolute.parent.mkdir(parents=True, exist_ok=True)
        announce(clear_left_behind(absolute.parent))  # what killed workforce processes left here
        staging = Path(tempfile.mkdtemp(prefix=f".{absolute.name}.partial-{os.getpid()}-", dir=absolute.parent))
    except OSError as exc:
        raise write_error(exc, out) from None
    try:
        os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes it private; outputs are ordinary folders
        fill(staging)
        files = listing(staging)
        record = {**marker(kind), **(manifest(files) if manifest else {})}
        record.update(marker(kind))  # keeps the marker first, whatever ``manifest`` returned
        record.setdefault("outputs", {})["sha256"] = files
        atomic_write(staging / MANIFEST, lambda p: p.write_text(json_text(record), encoding="utf-8"))
        fsync_dir(staging)
        check_replaceable(out, kind, protected, what=what)  # nothing new appeared meanwhile
        swap_in(staging, absolute)
    except OSError as exc:
        raise write_error(exc, out) from None
    except Exception as exc:
        if is_file_create_error(exc):
            raise write_error(exc, out) from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(p.relative_to(absolute).as_posix() for p in absolute.iterdir())


def atomic_write(target: Path, write: Callable[[Path], Any]) -> Path:
    """Write ``target`` through ``write(tmp)``: a temporary file in the same folder with the same
    extension (pandas and Excel writers choose by extension), fsynced, then renamed over the
    target. On any error the temporary file is removed and the target is untouched."""
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes it private; outputs are ordinary files
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return target


def swap_in(staging: Path, target: Path) -> None:
    """Rename the finished staging folder to ``target``, replacing an earlier folder as a whole."""
    if not target.exists():
        os.rename(staging, target)
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-{os.getpid()}-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(target.parent)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(fd)


REASONS = {
    "ENOSPC": "the disk is full",
    "EDQUOT": "the disk quota is exceeded",
    "EROFS": "the folder is on a read-only file system",
    "EACCES": "permission denied (the folder is read-only or belongs to someone else)",
    "EPERM": "permission denied (the folder is read-only or belongs to someone else)",
    "ENOENT": "a folder on the way does not exist",
    "ENOTDIR": "a part of the path is a file, not a folder",
    "EEXIST": "a part of the path is a file, not a folder",  # what mkdir says when a file is in the way
}


def reason(exc: BaseException) -> str:
    """A planner's words for why a write failed."""
    import errno

    code = getattr(exc, "errno", None)
    if code is None and is_file_create_error(exc):
        code = getattr(exc.__context__ or exc.__cause__, "errno", None)
    name = errno.errorcode.get(code, "") if isinstance(code, int) else ""
    return REASONS.get(name) or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def write_error(exc: BaseException, out: Path) -> ExportError:
    return ExportError(
        f"could not write {out}: {reason(exc)}. Nothing was written and earlier outputs there are "
        "untouched; free some space or choose another folder with --out"
    )


def is_file_create_error(exc: BaseException) -> bool:
    return type(exc).__name__ == "FileCreateError" and type(exc).__module__.startswith("xlsxwriter")


def replace_file(target: str | Path, text: str, *, ours: Callable[[str], bool],
                 protected: Iterable[str | Path] = (), what: str = "--out") -> Path:
    """Write one text file whole, replacing an existing one only when ``ours(its text)`` proves
    this tool wrote it; never a file an input reads (exit 4 otherwise)."""
    path = Path(target)
    guard_target(path, protected, what=what)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ExportError(f"cannot write {path}: it is a folder or a link, not a file; choose another {what}")
    if path.exists():
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                head = fh.read(1 << 16)
        except OSError as exc:
            raise write_error(exc, path) from None
        if not ours(head):
            raise ExportError(
                f"cannot write {path}: the file there was not written by workforce, so it is left as it is; "
                f"choose another {what} or move that file away"
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))
    except OSError as exc:
        raise write_error(exc, path) from None
    return path


# ----------------------------------------------------------------------------------------------
# Cells: text a spreadsheet would run as a formula
# ----------------------------------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
"""First characters that make a spreadsheet treat text as a formula."""


def neutralise(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with an apostrophe; leave the rest alone."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text columns and text index levels are neutralised (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels([
            level.map(neutralise) if not pd.api.types.is_numeric_dtype(level) else level for level in out.index.levels
        ])
    elif not pd.api.types.is_numeric_dtype(out.index):
        out.index = out.index.map(neutralise)
    out.attrs = dict(df.attrs)
    return out


# ----------------------------------------------------------------------------------------------
# Single images saved from Python (plots.style.save, plots.studies.save_figure)
# ----------------------------------------------------------------------------------------------

IMAGE_MARKS = {
    ".png": b"tEXtSoftware\x00workforce",
    ".svg": b"<dc:title>workforce</dc:title>",
    ".pdf": b"/Creator (workforce)",
}
"""The metadata every chart workforce saves carries (plots.style.image_metadata), by extension."""


def image_ours(path: Path) -> bool:
    """Whether the image file at ``path`` carries workforce's own metadata (its head for PNG and
    SVG, its tail for PDF, where the document information sits)."""
    mark = IMAGE_MARKS.get(path.suffix.lower())
    if mark is None:
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - (1 << 16)))
            tail = fh.read(1 << 16)
    except OSError:
        return False
    return mark in head or mark in tail


def guard_image(target: Path) -> None:
    """Refuse (exit 4) to save an image over a file that workforce did not write."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_file() or not image_ours(target):
        raise ExportError(
            f"cannot save {target}: a file workforce did not write is there, so it is left as it is; "
            "choose another file name or move that file away"
        )
