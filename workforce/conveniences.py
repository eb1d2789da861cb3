"""Conveniences that a lower stage offers and a higher stage provides (issue 15).

``plan.plot``, ``plan.export(...)``, ``plan.explain()``, ``repr(plan)``, ``repr(scenario)``,
``comparison.chart()`` and the like stay on the objects for notebook users, but the code behind
them lives in a higher stage (``plots``, ``output``, ``explain``). Importing it from the lower
stage, even inside a function, would make the stages one import cycle, which the layers contract in
pyproject.toml forbids. So the lower stage asks for the provider by name here, and the table below
(``"module:attribute"`` strings, imported on first use) is the one place where the inversion is
written down. tests/test_layers.py checks every entry resolves and is used.
"""

from __future__ import annotations

import importlib
from typing import Any

PROVIDERS: dict[str, str] = {
    "plan.plot": "workforce.plots.accessor:PlotAccessor",
    "plan.export": "workforce.output.export:export",
    "plan.explain": "workforce.explain.horizon:explain_reported",
    "plan.text": "workforce.output.display:plan_text",
    "plan.html": "workforce.output.display:plan_html",
    "plan.xarray": "workforce.output.xarray_view:plan_to_xarray",
    "scenario.text": "workforce.output.display:scenario_text",
    "scenario.html": "workforce.output.display:scenario_html",
    "comparison.text": "workforce.output.display:comparison_repr",
    "comparison.html": "workforce.output.display:comparison_html",
    "comparison.chart": "workforce.plots.studies:compare_chart",
    "plan.charts": "workforce.plots:draw_into",
    "stochastic.chart": "workforce.plots.stochastic:stochastic_chart",
}


def provider(name: str) -> Any:
    """The function or class that provides convenience ``name`` (imported on first use)."""
    module, _, attribute = PROVIDERS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
