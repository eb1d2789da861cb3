"""Keep the cohort chart at report size when a plan trains through many programmes.

The chart has a heading and a row per cohort (or per region) for every programme, so its height
grows with the programmes: 300 of them drew a chart 129 inches tall in a minute. Without a
choice of programmes, :func:`largest_programmes` keeps those with the most starters over the
chart, most first, while their rows fit in :data:`MAX_HEIGHT`; the chart's note says how many of
how many it shows, and intake.csv holds them all. A planner who names programmes gets exactly
those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_HEIGHT = 14.0
"""Tallest cohort chart drawn by default, in inches (a page of a report; the England baseline's
charts are 9.5 and 13 inches tall)."""


def largest_programmes(chosen: Sequence[str], inches: Mapping[str, float], starters: Mapping[str, float],
                       room: float) -> list[str]:
    """The programmes of ``chosen`` to draw, in their order: the largest by ``starters`` (ties:
    the earlier first) while the ``inches`` their rows take add up to at most ``room``; at least
    the largest one."""
    order = sorted(chosen, key=lambda p: (-starters[p], list(chosen).index(p)))
    kept: set[str] = set()
    used = 0.0
    for p in order:
        if kept and used + inches[p] > room:
            break
        kept.add(p)
        used += inches[p]
    return [p for p in chosen if p in kept]


def shown_note(kept: int, total: int) -> str:
    """The sentence the chart's note gains when it leaves programmes out."""
    return (f" Shown: the {kept} of {total} programmes with the most starters (a taller chart would not fit a "
            "page); intake.csv has every programme, or ask for programmes=[...].")
