"""Which folders a scenario may read from.

A scenario reads files (``extends:`` bases and ``{file: ...}`` tables) relative to the YAML file
that names them. By default a path may not leave that file's folder, so a scenario cannot read
``../../secrets.csv`` by accident. Two ways out, both explicit:

* the folder of the scenarios bundled with workforce (``configs/``) may always be read, so a
  planner's own scenario, kept in their own folder, can ``extends:`` the bundled baseline;
* folders the planner names: ``--allow-path DIR`` on the command line (repeatable), or
  ``load_scenario(..., allow_paths=[DIR])`` in Python. A path may then lead into DIR or any folder
  below it.

``allow_external_paths=True`` (Python only) lifts the restriction altogether.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from workforce.allow import ALLOWED_FOLDERS

ALLOW_HINT = "or name its folder with --allow-path DIR (Python: allow_paths=[DIR])"


def bundled_folders() -> tuple[Path, ...]:
    """The folders holding the scenarios shipped with workforce (package data and source checkout)."""
    here = Path(__file__).resolve().parents[1]
    return tuple(p for p in (here / "configs", here.parent / "configs") if p.is_dir())


def safe_resolve(path: Path) -> Path | None:
    """``path`` made absolute with symlinks followed, or None if the file system cannot say
    (a symlink loop, a NUL byte, an over-long name)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def may_read(target: Path, home: Path, allow_external: bool) -> bool:
    """Whether a scenario in folder ``home`` may read ``target``."""
    if allow_external:
        return True
    resolved = safe_resolve(target)
    if resolved is None:  # a symlink loop or the like: nothing can be read there, and the read says why
        return True
    roots = (home, *bundled_folders(), *ALLOWED_FOLDERS.get())
    return any(r is not None and resolved.is_relative_to(r) for r in map(safe_resolve, roots))


@contextlib.contextmanager
def allowing(folders: Sequence[str | Path]) -> Iterator[None]:
    """Within the block, scenarios may also read from ``folders`` (added to any already allowed)."""
    token = ALLOWED_FOLDERS.set((*ALLOWED_FOLDERS.get(), *(Path(f) for f in folders)))
    try:
        yield
    finally:
        ALLOWED_FOLDERS.reset(token)
