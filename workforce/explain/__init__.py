"""Explain stage: marginal values, what-ifs and their text."""
