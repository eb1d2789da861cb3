"""Charts of a plan, ready to paste into a report (matplotlib only, no geodata).

Every chart function takes a :class:`~workforce.plan.results.Plan` or a
:class:`~workforce.plan.tables.PlanTables` (a saved run read with
:func:`~workforce.plan.tables.load_plan`) and returns a matplotlib ``Figure``. In a notebook use
``plan.plot.<chart>(...)``; :func:`draw_all` writes every chart as PNG and SVG. Study charts
(sweeps, fan charts, comparisons) are in :mod:`.studies`.

A stage beside ``output``: may import ``studies`` down to ``scenario``, never ``output`` or ``cli``.
"""

from workforce.plots.accessor import PlotAccessor, chart_requests, draw_all, draw_into
from workforce.plots.capacity import capacity_map
from workforce.plots.cohorts import cohort_gantt
from workforce.plots.compare import compare
from workforce.plots.flows import flows_waterfall
from workforce.plots.shortfall import shortfall_heatmap, shortfall_map
from workforce.plots.spend import spend

__all__ = [
    "PlotAccessor",
    "capacity_map",
    "chart_requests",
    "cohort_gantt",
    "compare",
    "draw_all",
    "draw_into",
    "flows_waterfall",
    "shortfall_heatmap",
    "shortfall_map",
    "spend",
]
