"""The folders the planner allowed scenarios to read from (``--allow-path``), kept in a module that
imports nothing heavy, so the command line can set them before pandas or pydantic load
(rules in :mod:`workforce.scenario.paths`)."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

ALLOWED_FOLDERS: ContextVar[tuple[Path, ...]] = ContextVar("ALLOWED_FOLDERS", default=())
"""Folders named by the planner (``--allow-path``) for the scenario being loaded."""
