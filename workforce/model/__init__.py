"""Model stage: ModelData and the formulation of models/cohort_planning.md, built two ways.

Owns ``data`` (``prepare``: scenario → ModelData; ``policy_data`` for cohorts, targets and equity),
the Pyomo formulation (``build`` with ``expressions``, ``calendar``, ``deadline``, ``tenure``,
``policy``; row meanings in ``rows``, ``policy_rows``) and the array generator that writes the same
LP (``arrays`` with ``array_grids``, ``array_expressions``, ``array_families``, ``array_policy``,
``array_tenure``); ``compiled.Compiled``
is the LP as arrays, as the solver receives it.
May import ``workforce.scenario`` (and ``workforce.errors``); never a stage above.
"""

from workforce.model.build import build_model

__all__ = ["build_model"]
