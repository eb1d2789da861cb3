"""Errors a planner can act on.

Every error raised for bad input is a :class:`ScenarioError` that names the file, the line and the
key path, says what is wrong and, where it can, what is allowed. Solver outcomes that are not a plan
raise :class:`SolveError` subclasses; :func:`workforce.solve` never returns a failed plan.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the loader knows."""

    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message}"


class WorkforceError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1


class ScenarioError(WorkforceError, ValueError):
    """The scenario (YAML or a CSV it references) is invalid. Lists every problem found."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in the scenario:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class SolveError(WorkforceError):
    """The solver did not produce a plan."""

    exit_code = 3


@dataclass
class Conflict:
    """A limit that had to move for the scenario to become feasible (elastic diagnosis)."""

    kind: str
    description: str
    amount: float
    unit: str
    file: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f" ({self.file}{':' + str(self.line) if self.line else ''})"
        return f"{self.description}{where}: short by {self.amount:,.2f} {self.unit}"


class InfeasibleScenarioError(SolveError):
    """No plan satisfies every hard limit of the scenario. ``conflicts`` says which limits clash."""

    exit_code = 2

    def __init__(self, message: str, conflicts: list[Conflict] | None = None):
        self.conflicts: list[Conflict] = list(conflicts or [])
        text = message
        if self.conflicts:
            kinds = sorted({c.kind for c in self.conflicts})
            text += "\nLimits in conflict (" + ", ".join(kinds) + "):"
            text += "".join(f"\n  - {c}" for c in self.conflicts)
        super().__init__(text)


class UnboundedScenarioError(SolveError):
    """The objective can improve without limit: a cost or a bound is missing."""

    exit_code = 2


class NoSolutionError(SolveError):
    """The time limit (or another solver limit) was reached before any plan was found."""

    exit_code = 3

    def __init__(self, message: str, elapsed: float = 0.0):
        self.elapsed = elapsed
        super().__init__(message)


class VerificationError(SolveError):
    """The plan fails the independent re-check against the scenario (a balance or limit does not
    hold beyond the tolerance), whatever the solver reported. No plan is returned or written."""

    exit_code = 5


class ExportError(WorkforceError):
    """The outputs could not be written (disk full, read-only or missing folder, missing extra).
    Earlier outputs are left as they were."""

    exit_code = 4
