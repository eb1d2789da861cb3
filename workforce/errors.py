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


MAX_SHOWN_CHARS = 60
"""Longest echo of a planner's value in a message; longer values are cut with their length."""


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)``, cut to ``limit`` characters with a note of the full length, so that a
    message echoing a 10,000-character cell stays one readable line."""
    text = repr(value)
    if len(text) <= limit:
        return text
    full = f"{len(value):,} characters" if isinstance(value, str | bytes) else f"{len(text):,} characters as text"
    return f"{text[:limit - 1]}… ({full})"


class WorkforceError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1


MAX_PRINTED_PROBLEMS = 20
"""Most problems a :class:`ScenarioError` prints; the rest are counted."""


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
        lines += [f"  - {p}" for p in self.problems[:MAX_PRINTED_PROBLEMS]]
        rest = len(self.problems) - MAX_PRINTED_PROBLEMS
        if rest > 0:
            lines.append(f"  ... and {rest} more (fix these first; every problem is in the error's `problems`)")
        return "\n".join(lines)


class SolveError(WorkforceError):
    """The solver did not produce a plan."""

    exit_code = 3


def amount_text(amount: float, unit: str) -> str:
    """An amount in the planner's words: money as £k or £m, people with their unit."""
    if unit == "£k":
        if abs(amount) >= 999.5:  # what rounds to £1,000k reads £1.00m
            return f"£{amount / 1000:,.2f}m"
        return f"£{amount:,.1f}k" if abs(amount) < 100 else f"£{amount:,.0f}k"
    return f"{amount:,.2f} {unit}"


@dataclass
class Conflict:
    """A limit that had to move for the scenario to become feasible (elastic diagnosis), or one
    member of an irreducible set of limits that cannot all hold (strict diagnosis, ``amount`` 0)."""

    kind: str
    description: str
    amount: float
    unit: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    direction: str = "raise"
    """``raise`` (a budget, capacity or cap must go up) or ``lower`` (a minimum must come down)."""
    limit: float | None = None
    """The limit's value in the scenario, where it is a single number."""
    partners: tuple[str, ...] = ()
    """The limits it clashes with, each as 'description (file:line)'."""

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}{':' + str(self.line) if self.line else ''}"

    def __str__(self) -> str:
        where = f" ({self.where})" if self.file else ""
        amount = amount_text(self.amount, self.unit)
        if self.direction == "lower":
            text = f"{self.description}{where} must come down by {amount}"
            if self.limit is not None:
                text += f" (from {self.limit:,.2f} to {self.limit - self.amount:,.2f})"
            if self.partners:
                text += " to fit " + _join(self.partners)
            return text
        verb = "funding" if self.unit == "£k" else "allowing"
        plural = self.description.startswith(("the training places", "the national places"))
        text = f"{self.description}{where} {'are' if plural else 'is'} {amount} short"
        if self.partners:
            text += f" of {verb} " + _join(self.partners)
        if self.limit is not None:
            text += f" (it would have to rise from {amount_text(self.limit, self.unit)} to {amount_text(self.limit + self.amount, self.unit)})"
        return text


def _join(items: tuple[str, ...], most: int = 4) -> str:
    shown = list(items[:most])
    if len(items) > most:
        shown.append(f"{len(items) - most} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


class InfeasibleScenarioError(SolveError):
    """No plan satisfies every hard limit of the scenario. ``conflicts`` says which limits clash;
    ``alternatives`` gives other ways out (e.g. ``money only``), each a list of conflicts."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        conflicts: list[Conflict] | None = None,
        alternatives: dict[str, list[Conflict]] | None = None,
    ):
        self.conflicts: list[Conflict] = list(conflicts or [])
        self.alternatives: dict[str, list[Conflict]] = dict(alternatives or {})
        text = message
        if self.conflicts:
            kinds = sorted({c.kind for c in self.conflicts})
            text += "\nLimits in conflict (" + ", ".join(kinds) + "):"
            text += _listed(self.conflicts)
        for name, moves in self.alternatives.items():
            if not moves:
                text += f"\n{name[0].upper() + name[1:]}, no change of limits makes this scenario feasible."
                continue
            text += f"\nAlternatively, {name}:"
            text += _listed(moves)
        super().__init__(text)


def _listed(conflicts: list[Conflict], most: int = 12) -> str:
    text = "".join(f"\n  - {c}" for c in conflicts[:most])
    if len(conflicts) > most:
        text += f"\n  - and {len(conflicts) - most} smaller moves (all of them are in the error's conflicts)"
    return text


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
