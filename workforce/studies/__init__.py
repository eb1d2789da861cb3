"""Studies stage: sweeps, Monte Carlo, stores, comparison, backcasts."""
