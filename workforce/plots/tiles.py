"""Region layouts: England's nine regions as a tile grid shaped like the country, other
geographies as ordered small multiples (the worst areas first)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workforce.plan.tables import PlanTables
from workforce.plots.style import PlotRequestError

# ONS region codes laid out roughly where the regions lie: NE top centre, London bottom centre.
# "key" is a free cell for the legend or colour key, "all" one for the England total.
ENGLAND_GRID = [
    ["key", "E12000001", "all"],
    ["E12000002", "E12000003", "info"],
    ["E12000005", "E12000004", "E12000006"],
    ["E12000009", "E12000007", "E12000008"],
]
ENGLAND_CODES = [c for row in ENGLAND_GRID for c in row if c.startswith("E12")]
SHORT_NAMES = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorks & Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}
TOTAL = "all"
KEY = "key"
INFO = "info"
SPECIAL = (KEY, TOTAL, INFO)


def is_england(t: PlanTables) -> bool:
    """True when the plan's regions are exactly England's nine ONS regions."""
    return sorted(t.regions) == sorted(ENGLAND_CODES)


def region_label(t: PlanTables, region: str, short: bool = False) -> str:
    if short and region in SHORT_NAMES and is_england(t):
        return SHORT_NAMES[region]
    return t.labels.regions.get(region, region)


def region_tiles(fig: Figure, t: PlanTables, order: Sequence[str], ncols: int = 4,
                 key: bool = True, total: bool = True) -> dict[str, Axes]:
    """Axes keyed by region code, plus ``"key"`` and ``"all"`` cells when asked for (England also has
    an ``"info"`` cell for a short text).

    England gets the map-shaped grid (``order`` is ignored: the grid fixes the places); any other
    geography gets ``order`` laid out row by row in ``ncols`` columns, the total in the next cell
    (none for a single area) and the key in a short full-width row at the foot.
    """
    if is_england(t):
        grid = [[c if (c != KEY or key) and (c not in (TOTAL, INFO) or total) else "." for c in row]
                for row in ENGLAND_GRID]
        return fig.subplot_mosaic(grid, empty_sentinel=".")
    if not order:
        raise PlotRequestError("no regions to draw")
    cells = list(order) + ([TOTAL] if total and len(order) > 1 else [])
    ncols = max(1, min(ncols, len(cells)))
    nrows = math.ceil(len(cells) / ncols)
    cells += ["."] * (nrows * ncols - len(cells))
    grid = [cells[i * ncols:(i + 1) * ncols] for i in range(nrows)]
    ratios = [1.0] * nrows
    if key:
        # the key spans the width in a short row of its own, so it never widens one column
        grid.append([KEY] * ncols)
        ratios.append(KEY_ROW)
    return fig.subplot_mosaic(grid, empty_sentinel=".", height_ratios=ratios)


KEY_ROW = 0.3
"""Height of the key row, as a share of a tile row (other geographies)."""


def grid_rows(t: PlanTables, n_regions: int, ncols: int = 4) -> float:
    """Tile rows a layout will use, counting the key row as part of one (for sizing the figure)."""
    if is_england(t):
        return len(ENGLAND_GRID)
    cells = n_regions + (1 if n_regions > 1 else 0)
    return math.ceil(cells / max(1, min(ncols, cells))) + KEY_ROW


def bottom_row(axes: dict[str, Axes]) -> list[Axes]:
    """Region tiles with no tile below them (they carry the x-axis label)."""
    tiles = [ax for k, ax in axes.items() if k not in (KEY, INFO)]
    out = []
    for ax in tiles:
        box = ax.get_subplotspec()
        below = [o for o in tiles if o is not ax and o.get_subplotspec().rowspan.start > box.rowspan.start
                 and set(o.get_subplotspec().colspan) & set(box.colspan)]
        if not below:
            out.append(ax)
    return out
