"""Study specifications: a sensitivity sweep (grid or Latin hypercube) or a Monte Carlo, in YAML.

A study file names a scenario and the levers to move (see :mod:`workforce.solver.levers`)::

    name: EP training budget
    scenario: ../configs/england_baseline.yaml   # relative to this file
    grid:
      parameters:
        ep_budget: {path: funding_streams.dfe_ep.budget, op: scale, low: 0.95, high: 1.5, steps: 200}
        ep_attrition: {path: roles.ep.attrition, values: [0.06, 0.09, 0.12]}

``lhs:`` takes ``samples``, ``seed`` and parameters with ``low`` and ``high``; ``montecarlo:``
takes ``draws``, ``seed``, ``mode`` (``optimise`` or ``evaluate``), an optional ``plan`` (an
intake.csv written by ``workforce run``, held fixed in ``evaluate`` mode) and parameters with a
``distribution``. Every point is a row of :func:`points`, drawn once from the seed, so a study is
reproducible and can be resumed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from workforce.errors import Problem, ScenarioError, WorkforceError
from workforce.scenario.yamlio import dotted, read_yaml
from workforce.solver.levers import OPS, Lever, parse_path

Finite = Annotated[float, Field(allow_inf_nan=False)]


class ParameterError(ValueError):
    """A problem with one parameter of a design (located at that parameter's line)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Base):
    path: str
    """Key path of the value to move, e.g. ``funding_streams.dfe_ep.budget``."""
    op: Literal["set", "scale", "add", "growth"] = "set"
    """How the value moves: ``set`` it, ``scale`` it, ``add`` to it, or compound a yearly ``growth``."""
    values: list[Finite] | None = None
    """Grid: the values to try."""
    low: Finite | None = None
    """Grid (with ``steps``) or Latin hypercube: smallest value; distributions: lower truncation."""
    high: Finite | None = None
    """Largest value (see ``low``)."""
    steps: int | None = Field(default=None, ge=1, le=100_000)
    """Grid: number of evenly spaced values from ``low`` to ``high``."""
    distribution: Literal["uniform", "triangular", "normal", "lognormal"] | None = None
    """Monte Carlo: ``uniform`` (low, high), ``triangular`` (low, mode, high), ``normal`` (mean, sd,
    optionally truncated to low/high), ``lognormal`` (median, sigma of the log)."""
    mean: Finite | None = None
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    mode: Finite | None = None
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _path(self) -> Parameter:
        try:
            parse_path(self.path)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self


RESERVED = ("point", "status", "objective", "plan", "how", "reason", "seconds", "error", "error_type",
            "bounds", "coefficients", "costs", "rescue_seconds", "measure", "item", "region", "year", "value")
"""Columns of points.csv and of the results table: a parameter may not take one of these names."""


def check_parameters(parameters: dict[str, Parameter]) -> None:
    """Names that would clash with a result column, and two parameters moving the same value
    (one would silently override the other, yet both would be reported as if they mattered)."""
    for name in parameters:
        if name.casefold() in RESERVED:
            raise ParameterError(name, f"parameter name {name!r} is reserved for a result column "
                             f"({', '.join(RESERVED)}); choose another name")
        if not name.strip():
            raise ValueError("a parameter name may not be blank")
    seen: dict[tuple[Any, ...], str] = {}
    for name, p in parameters.items():
        path = parse_path(p.path)
        for other_path, other in seen.items():
            shorter = min(len(path), len(other_path))
            if path[:shorter] == other_path[:shorter]:
                same = "the same value" if path == other_path else "overlapping values"
                raise ParameterError(name, f"parameters {other!r} and {name!r} both move {same} "
                                 f"({parameters[other].path} and {p.path}); one would override the other")
        seen[path] = name


MAX_POINTS = 1_000_000
"""Most points a grid may have (the product of its parameters' steps), as for Latin hypercube samples."""


class Grid(_Base):
    parameters: dict[str, Parameter] = Field(min_length=1)
    """Every combination of the parameters' values is a point."""

    @model_validator(mode="after")
    def _values(self) -> Grid:
        check_parameters(self.parameters)
        for name, p in self.parameters.items():
            if p.values is None and (p.low is None or p.high is None or p.steps is None):
                raise ParameterError(name, f"parameter {name}: give `values: [...]` or `low`, `high` and `steps`")
            if p.distribution is not None:
                raise ParameterError(name, f"parameter {name}: a grid takes values, not a distribution")
        sizes = [len(p.values) if p.values is not None else int(p.steps or 1) for p in self.parameters.values()]
        if math.prod(sizes) > MAX_POINTS:
            raise ValueError(f"the grid has {math.prod(sizes):,} points ({' x '.join(map(str, sizes))}); a study may have "
                             f"at most {MAX_POINTS:,}: use fewer steps, or a Latin hypercube (samples:) over the same box")
        return self


class LatinHypercube(_Base):
    samples: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)
    """Seed of the sample: the same seed gives the same points."""
    parameters: dict[str, Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _bounds(self) -> LatinHypercube:
        check_parameters(self.parameters)
        for name, p in self.parameters.items():
            if p.low is None or p.high is None:
                raise ParameterError(name, f"parameter {name}: a Latin hypercube needs `low` and `high`")
            if p.distribution is not None or p.values is not None:
                raise ParameterError(name, f"parameter {name}: a Latin hypercube takes `low` and `high`, "
                                     "not values or a distribution")
        return self


class MonteCarlo(_Base):
    draws: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)
    """Seed of the draws: the same seed gives the same draws."""
    mode: Literal["optimise", "evaluate"] = "optimise"
    """``optimise``: the best plan for each draw. ``evaluate``: hold one intake plan fixed (``plan``,
    or the scenario's own optimal plan) and see how it performs in each draw."""
    plan: str | None = None
    """evaluate mode: intake.csv of the plan to hold fixed (relative to the study file)."""
    parameters: dict[str, Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _distributions(self) -> MonteCarlo:
        need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "normal": ("mean", "sd"),
                "lognormal": ("median", "sigma")}
        check_parameters(self.parameters)
        for name, p in self.parameters.items():
            if p.distribution is None:
                raise ParameterError(name, f"parameter {name}: a Monte Carlo parameter needs a `distribution` "
                                 f"({', '.join(need)})")
            check_distribution(name, p, need[p.distribution])
        if self.plan is not None and self.mode != "evaluate":
            raise ValueError("`plan` is only used in evaluate mode")
        return self


_DISTRIBUTION_FIELDS = ("low", "high", "mean", "sd", "mode", "median", "sigma")
_TRUNCATION_MASS = 1e-3
"""Least share of a truncated distribution that must lie between its bounds: below it, drawing
by rejection would take thousands of tries per value (and for no room at all, forever)."""
_MAX_REDRAWS = 100_000


def check_distribution(name: str, p: Parameter, need: tuple[str, ...]) -> None:
    """A distribution that can be drawn from: its own fields only, ordered bounds, room between
    truncation bounds (draws are redrawn until they land there)."""
    missing = [f for f in need if getattr(p, f) is None]
    if missing:
        raise ParameterError(name, f"parameter {name}: a {p.distribution} distribution needs {', '.join(missing)}")
    truncates = ("low", "high") if p.distribution in ("normal", "lognormal") else ()
    extra = [f for f in _DISTRIBUTION_FIELDS if getattr(p, f) is not None and f not in need and f not in truncates]
    if extra:
        raise ParameterError(name, f"parameter {name}: a {p.distribution} distribution takes {', '.join(need + truncates)}, "
                         f"not {', '.join(extra)}")
    if p.values is not None or p.steps is not None:
        raise ParameterError(name, f"parameter {name}: a Monte Carlo parameter takes a distribution, not values or steps")
    if p.distribution == "triangular" and not (p.low <= p.mode <= p.high):  # type: ignore[operator]
        raise ParameterError(name, f"parameter {name}: mode must lie between low and high")
    if p.distribution in ("normal", "lognormal") and (p.low is not None or p.high is not None):
        mass = _mass_between(p)
        if mass < _TRUNCATION_MASS:
            raise ParameterError(name,
                f"parameter {name}: the {p.distribution} distribution has "
                f"{'no' if mass == 0 else f'only {mass:.2g} of its'} probability between low ({p.low}) and high "
                f"({p.high}), so values cannot be drawn there; widen the bounds or move the "
                f"{'mean' if p.distribution == 'normal' else 'median'}")


def _mass_between(p: Parameter) -> float:
    """Share of a normal or lognormal distribution between ``low`` and ``high``."""
    from scipy.stats import norm

    lo = -np.inf if p.low is None else p.low
    hi = np.inf if p.high is None else p.high
    if hi <= lo:
        return 0.0
    if p.distribution == "normal":
        a, b = (lo - p.mean) / p.sd, (hi - p.mean) / p.sd  # type: ignore[operator]
    else:
        if hi <= 0:
            return 0.0
        log = lambda x: np.log(x) if x > 0 else -np.inf  # noqa: E731
        a, b = (log(lo) - np.log(p.median)) / p.sigma, (log(hi) - np.log(p.median)) / p.sigma  # type: ignore[arg-type,operator]
    return float(norm.cdf(b) - norm.cdf(a))


class StudySpec(_Base):
    name: str = Field(min_length=1, max_length=120)
    scenario: str
    """Scenario YAML, relative to the study file."""
    description: str = ""
    grid: Grid | None = None
    lhs: LatinHypercube | None = None
    montecarlo: MonteCarlo | None = None
    time_limit: Annotated[float, Field(gt=0)] | None = None
    """Seconds HiGHS may spend on each point."""

    @model_validator(mode="after")
    def _one_design(self) -> StudySpec:
        given = [k for k in ("grid", "lhs", "montecarlo") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `grid`, `lhs` or `montecarlo`" + (f" (found {', '.join(given)})" if given else ""))
        return self

    _file: str = PrivateAttr("<python>")
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    def located(self, loc: tuple[Any, ...], message: str) -> Problem:
        """A problem at key path ``loc`` of the study file (its line, or the nearest parent's)."""
        line = next((self._lines[loc[:d]] for d in range(len(loc), 0, -1) if loc[:d] in self._lines), None)
        return Problem(message, file=self._file, line=line, key=dotted(loc))

    def parameter_problem(self, name: str, message: str) -> Problem:
        """A problem with parameter ``name``'s ``path``, located in the study file."""
        return self.located((self.kind, "parameters", name, "path"), message)

    @property
    def design(self) -> Grid | LatinHypercube | MonteCarlo:
        return self.grid or self.lhs or self.montecarlo  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        return "grid" if self.grid else "lhs" if self.lhs else "montecarlo"

    def levers(self) -> dict[str, Lever]:
        return {name: Lever(name, parse_path(p.path), p.op) for name, p in self.design.parameters.items()}

    def sha256(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def load_study(path: str | Path) -> tuple[StudySpec, Path]:
    """Read and validate a study file; returns the spec and the folder paths in it are relative to."""
    path = Path(path)
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(Problem("a study file must be a mapping of keys to values", file=str(path), line=1))
    spec = study_from_dict(data, name=str(path), lines=lines)
    spec._file, spec._lines = str(path), dict(lines)
    return spec, path.parent


def study_from_dict(data: dict[str, Any], *, name: str = "<python>", lines: dict[tuple[Any, ...], int] | None = None,
                    schema: type[BaseModel] = StudySpec) -> Any:
    """Validate a study given as Python data (the same keys as the YAML) against ``schema``
    (:class:`StudySpec`, or another study kind such as a stochastic plan's)."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, ParameterError) and loc and loc[-1] != "parameters":
                loc = (*loc, "parameters", cause.name)
            line = None
            for depth in range(len(loc), -1, -1):
                if lines and loc[:depth] in lines:
                    line = lines[loc[:depth]]
                    break
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            problems.append(Problem(message, file=name, line=line, key=dotted(loc) or None))
        raise ScenarioError(problems) from None


def _draw(p: Parameter, n: int, rng: np.random.Generator) -> np.ndarray:
    if p.distribution == "uniform":
        return rng.uniform(p.low, p.high, n)
    if p.distribution == "triangular":
        if p.low == p.high:
            return np.full(n, float(p.low))  # type: ignore[arg-type]
        return rng.triangular(p.low, p.mode, p.high, n)
    if p.distribution == "lognormal":
        values = p.median * np.exp(p.sigma * rng.standard_normal(n))  # type: ignore[operator]
    else:
        values = p.mean + p.sd * rng.standard_normal(n)  # type: ignore[operator]
    lo = -np.inf if p.low is None else p.low
    hi = np.inf if p.high is None else p.high
    bad = (values < lo) | (values > hi)
    for _ in range(_MAX_REDRAWS):  # truncation by redrawing, which keeps the shape inside the bounds
        if not bad.any():
            return values
        redraw = _draw(p.model_copy(update={"low": None, "high": None}), int(bad.sum()), rng)
        values[bad] = redraw
        bad = (values < lo) | (values > hi)
    if not bad.any():
        return values
    raise WorkforceError(f"cannot draw {n} values between {p.low} and {p.high} from this {p.distribution} "
                         "distribution: too little of it lies between the bounds")


def points(spec: StudySpec) -> pd.DataFrame:
    """The study's points: one row per point (index ``point``), one column per parameter."""
    design = spec.design
    names = list(design.parameters)
    if isinstance(design, Grid):
        axes = []
        for p in design.parameters.values():
            axes.append(list(p.values) if p.values is not None else list(np.linspace(p.low, p.high, p.steps)))  # type: ignore[arg-type]
        table = pd.DataFrame(list(itertools.product(*axes)), columns=names, dtype=float)
    elif isinstance(design, LatinHypercube):
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(design.seed)).random(design.samples)
        lows = np.array([p.low for p in design.parameters.values()], dtype=float)
        highs = np.array([p.high for p in design.parameters.values()], dtype=float)
        table = pd.DataFrame(lows + unit * (highs - lows), columns=names)
    else:
        rng = np.random.default_rng(design.seed)
        table = pd.DataFrame({n: _draw(p, design.draws, rng) for n, p in design.parameters.items()})
    table.index.name = "point"
    return table


def box(spec: StudySpec) -> dict[str, tuple[float, float]] | None:
    """The range each parameter spans, for a grid or Latin hypercube (None for Monte Carlo draws)."""
    design = spec.design
    if isinstance(design, MonteCarlo):
        return None
    out = {}
    for n, p in design.parameters.items():
        vals = p.values if p.values is not None else [p.low, p.high]
        out[n] = (float(min(vals)), float(max(vals)))  # type: ignore[type-var]
    return out


def spec_json(spec: StudySpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), indent=2, sort_keys=True)


__all__ = ["OPS", "StudySpec", "box", "load_study", "points", "study_from_dict"]
