"""Model stage: ModelData and the formulation of models/cohort_planning.md, built two ways.

Owns ``data`` (``prepare``: scenario → ModelData; ``policy_data`` for cohorts, targets and equity),
the Pyomo formulation (``build`` with ``expressions``, ``calendar``, ``deadline``, ``tenure``,
``policy``; row meanings in ``rows``, ``policy_rows``) and the array generator that writes the same
LP (``arrays`` with ``array_grids``, ``array_expressions``, ``array_families``, ``array_policy``,
``array_tenure``); ``compiled.Compiled``
is the LP as arrays, as the solver receives it.
May import ``workforce.scenario`` (and ``workforce.errors``); never a stage above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workforce.model.build import build_model

__all__ = ["build_model"]


def __getattr__(name: str) -> Any:
    """``build_model`` on first use (PEP 562): Pyomo loads only when a Pyomo model is built, so a
    scenario solved through the array generator (``arrays``) never pays Pyomo's import."""
    if name == "build_model":
        from workforce.model.build import build_model

        return build_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
