"""Values as exports write them: formula triggers neutralised, the summary without run-to-run noise."""

from __future__ import annotations

from typing import Any

from workforce.output_safety import TRIGGERS as TRIGGERS
from workforce.output_safety import neutralise as neutralise
from workforce.output_safety import neutralise_frame as neutralise_frame

VOLATILE_SUMMARY_KEYS = ("timings_seconds", "solve_seconds", "solver_log")
"""Summary entries that differ between identical runs; they go to the manifest's timing section,
not to summary.json."""


def stable_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without the entries that differ between identical runs (timings, log)."""
    return {k: v for k, v in summary.items() if k not in VOLATILE_SUMMARY_KEYS}
