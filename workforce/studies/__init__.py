"""Studies stage: many solves of one scenario, and comparisons between plans.

Owns comparison (``compare``), study specifications (``spec``), sweeps and Monte Carlo
(``sweep``, ``montecarlo``), the study folder (``store``) and the EP backcast (``backcast``).
May import ``explain``, ``solver``, ``plan``, ``model``, ``scenario``; never ``output``, ``plots``
or ``cli`` (a comparison's repr and chart go through :mod:`workforce.conveniences`).
"""
