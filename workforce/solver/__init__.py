"""Solver stage: the HiGHS hand-off, from a scenario to a verified Plan.

Owns ``core`` (``solve``, ``compile_model``, ``run``), integer support (``mip_start``; cohort
columns and the equity stage in ``policy``), the LP bound of a stopped solve (``gap``),
infeasibility diagnosis (``diagnose``), levers and warm re-solves (``levers``, ``warm``,
``warm_rules``). May import ``workforce.plan``, ``workforce.model``, ``workforce.scenario``.
"""
