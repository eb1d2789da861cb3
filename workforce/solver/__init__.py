"""Solver stage: the HiGHS hand-off, integer support, infeasibility, warm re-solves, gap."""
