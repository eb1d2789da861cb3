"""Numbers a plan can use: plain Python numbers of a size HiGHS handles.

Before validation every number in the scenario data is checked:

* numpy scalars (``np.int64(100)``, ``np.float64(0.1)``, also as mapping keys) become the Python
  numbers they stand for, so a scenario built with pandas or numpy validates like one typed by hand;
* any number whose size exceeds :data:`MAX_MAGNITUDE` is refused with its file, line and key.
  HiGHS reads a bound or a cost of 1e20 or more as infinite (its options ``infinite_bound`` and
  ``infinite_cost``) and refuses constraint coefficients above 1e15 (``large_matrix_value``);
  the model multiplies inputs together (stock x rate, places x cost x years), so each input is kept
  to 1e12, far above any real workforce, budget or penalty (£1e12k is a thousand trillion pounds)
  and far enough below HiGHS's limits that no product reaches them.
"""

from __future__ import annotations

import math
from typing import Any

MAX_MAGNITUDE = 1e12
"""Largest size of any number in a scenario (see the module docstring)."""


def plain_numbers(data: Any, path: tuple[Any, ...] = ()) -> tuple[Any, list[tuple[tuple[Any, ...], str]]]:
    """``data`` with numpy scalars made Python numbers, and a (key path, message) for each number
    too large for the solver."""
    found: list[tuple[tuple[Any, ...], str]] = []
    return _walk(data, path, found), found


def _walk(node: Any, path: tuple[Any, ...], found: list[tuple[tuple[Any, ...], str]]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            key = _python(k)
            out[key] = _walk(v, (*path, key), found)
        return out
    if isinstance(node, list | tuple):
        return [_walk(v, (*path, i), found) for i, v in enumerate(node)]
    value = _python(node)
    if isinstance(value, int | float) and not isinstance(value, bool) and _too_large(value):
        found.append((path, f"{_magnitude(value)} is too large for the solver; numbers in a scenario must lie "
                            f"between -{_sci(MAX_MAGNITUDE)} and {_sci(MAX_MAGNITUDE)} (write large limits as "
                            "the real figure, or leave the limit out for none)"))
    return value


def _too_large(value: int | float) -> bool:
    if isinstance(value, int):
        return abs(value) > MAX_MAGNITUDE
    return math.isfinite(value) and abs(value) > MAX_MAGNITUDE


def _magnitude(value: int | float) -> str:
    if isinstance(value, int) and len(str(abs(value))) > 15:
        return f"a {len(str(abs(value)))}-digit number"
    return _sci(value)


def _sci(value: float) -> str:
    return f"{value:.3g}".replace("e+", "e")


def _python(value: Any) -> Any:
    """A numpy scalar as the Python number it holds; anything else unchanged."""
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    return value
