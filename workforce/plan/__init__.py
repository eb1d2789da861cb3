"""Plan stage: what a solve produces, as tables, and the re-check of those tables.

Owns the :class:`Plan` and its tables (``results``; the fields shared with the chart view in
``tables.PlanFields``), what a solve returns besides the tables (``solution.SolveInfo``),
extraction from a solution (``extract``; cohort and target columns in
``policy``), the saved-run reader (``tables.load_plan``) and the pandas re-check of every rule
(``verify``, ``verify_rules``). May import ``workforce.model`` and ``workforce.scenario``; the
solver, which makes Plans, sits above it. Plan conveniences that live higher up (``plan.plot``,
``plan.export``, ``plan.explain()``, ``repr``) are reached through :mod:`workforce.conveniences`.
"""
