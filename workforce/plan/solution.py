"""What a solve returns besides the plan's tables: status, objective terms, values, duals, timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SolveInfo:
    status: str
    """``optimal`` or ``provisional`` (a limit stopped the solver with a plan in hand)."""
    objective: float
    terms: dict[str, float]
    x: np.ndarray
    row_activity: np.ndarray
    row_dual: np.ndarray
    mip_gap: float | None
    stages: list[dict[str, Any]]
    timings: dict[str, float]
    highs_version: str
    options: dict[str, Any]
    log: list[str] = field(default_factory=list)
    """HiGHS log lines of every stage."""
    solver: dict[str, Any] = field(default_factory=dict)
    """HiGHS githash, the values of its main options, the final model status and the objective bound."""
