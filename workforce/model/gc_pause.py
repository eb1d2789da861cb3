"""Garbage collection paused for a block that allocates many objects but makes no reference cycles.

The same contract as Pyomo's ``pyomo.common.gc_manager.PauseGC`` (collection off inside the block,
back on after it only if it was on before, so pauses nest), without importing Pyomo: a plain run,
solved through the array generator, loads no Pyomo module at all (issue 19: start-up time).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Collection off inside the block; restored to what it was on leaving, even on an error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
