"""Refuse, before any worker starts, a process pool started from a script's top level.

Worker processes (forkserver or spawn) import the script that started them again. A script that
calls :func:`workforce.studies.sweep` outside ``if __name__ == "__main__":`` therefore calls it again in
every worker while the worker is starting, and every worker dies: each point would come back as
"worker failed: BrokenProcessPool". This module finds the line of the script that led to the call
and says so at once, instead.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import FrameType

from workforce.errors import WorkforceError


class MainGuardError(WorkforceError):
    """A process pool would re-run the calling script's top-level code in every worker."""


def _is_main_test(node: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)):
        return False
    sides = [node.left, node.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    texts = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and texts == ["__main__"]


def guarded_lines(source: str) -> list[tuple[int, int]]:
    """Line ranges of the top-level ``if __name__ == "__main__":`` blocks of a script."""
    tree = ast.parse(source)
    return [(n.lineno, n.end_lineno or n.lineno) for n in tree.body if isinstance(n, ast.If) and _is_main_test(n.test)]


def _script_frame(frame: FrameType | None) -> FrameType | None:
    """The frame running the top level of ``__main__`` in this call stack, if any."""
    main = sys.modules.get("__main__")
    while frame is not None:
        if main is not None and frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
            return frame
        frame = frame.f_back
    return None


def check_main_guard(what: str = "sweep()") -> None:
    """Raise :class:`MainGuardError` when the script running as ``__main__`` reaches this call
    from top-level code outside ``if __name__ == "__main__":``. Notebooks, the interactive
    prompt, ``python -c`` and the ``workforce`` command are never refused."""
    frame = _script_frame(sys._getframe(1))
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if frame is None or not path or not Path(path).is_file():
        return
    try:
        blocks = guarded_lines(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return
    line = frame.f_lineno
    if any(first <= line <= last for first, last in blocks):
        return
    raise MainGuardError(
        f"{path}:{line}: {what} starts worker processes, and each worker imports this script again, so its "
        f"top-level code would run in every worker. Put the call under `if __name__ == \"__main__\":` "
        f"(see the README's Python sweep example), or pass workers=1 to solve in this process.")


__all__ = ["MainGuardError", "check_main_guard", "guarded_lines"]
