"""Plan stage: the Plan, its extraction from a solution, its tables and the re-check."""
