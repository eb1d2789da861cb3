"""The ``stochastic:`` section of a study file, and running the study it describes.

::

    name: EP places under uncertainty
    scenario: ../england_baseline.yaml
    montecarlo:              # the distributions to sample the scenarios from (draws, seed, parameters)
      draws: 100
      seed: 2026
      parameters: {...}      # as a Monte Carlo study declares them
    stochastic:
      commit_years: 2        # decisions of 2026 and 2027 are committed now
      risk: {alpha: 0.9, weight: 0.5, of: cost}     # optional
      out_of_sample: {draws: 50, seed: 7}           # optional

or named scenarios with probabilities (no ``montecarlo:``)::

    stochastic:
      commit_years: 1
      parameters:
        ep_attrition: {path: roles.ep.attrition}
      scenarios:
        low:  {probability: 0.5, values: {ep_attrition: 0.05}}
        high: {probability: 0.5, values: {ep_attrition: 0.12}}
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from workforce.errors import Problem, ScenarioError
from workforce.scenario import load_scenario
from workforce.scenario.yamlio import read_yaml
from workforce.solver.levers import Lever, parse_path, value_at
from workforce.studies.spec import MonteCarlo, Parameter, StudySpec, points, study_from_dict
from workforce.studies.stochastic.model import DECISIONS, FIRST_STAGE, Risk
from workforce.studies.stochastic.plan import StochasticResult, stochastic_plan
from workforce.studies.stochastic.scenarios import WarmCompiler, lever_scenarios

Finite = Annotated[float, Field(allow_inf_nan=False)]
Decision = Literal["intake", "intake_term", "cohorts", "cohort_open", "hires", "exits", "flex"]
assert set(Decision.__args__) == set(DECISIONS)  # type: ignore[attr-defined]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskSpec(_Base):
    alpha: float = Field(gt=0, lt=1)
    """CVaR level: the mean of the worst (1 − alpha) share of outcomes."""
    weight: float = Field(ge=0, allow_inf_nan=False)
    """Weight of the CVaR term added to the expected cost."""
    of: Literal["cost", "shortfall"] = "cost"
    """The outcome: total weighted cost, or the (penalty-weighted) shortfall term."""


class Named(_Base):
    probability: float = Field(ge=0, le=1)
    values: dict[str, Finite] = Field(default_factory=dict)
    """Value of each parameter in this scenario (a parameter left out keeps the base value)."""


class Draws(_Base):
    draws: int = Field(ge=1, le=100_000)
    seed: int = Field(ge=0)


class Stochastic(_Base):
    commit_years: int = Field(ge=1, le=50)
    """Decisions of this many years, from the first, are taken now, alike for every scenario."""
    first_stage: list[Decision] = Field(default_factory=lambda: list(FIRST_STAGE), min_length=1)
    """Which decisions of those years are committed."""
    parameters: dict[str, Parameter] | None = None
    """Named scenarios: the values they change (path and op; no distribution)."""
    scenarios: dict[str, Named] | None = None
    """Named scenarios with probabilities (instead of draws from ``montecarlo:``)."""
    risk: RiskSpec | None = None
    out_of_sample: Draws | None = None
    """Fresh draws from the ``montecarlo:`` distributions to evaluate both plans on."""
    wait_and_see: bool = True
    """Solve each scenario alone for EVPI (one more solve per scenario)."""
    mip_gap: float = Field(default=0.005, ge=0, le=0.5)
    time_limit: float | None = Field(default=None, gt=0)
    """Seconds HiGHS may spend on the extensive form."""
    method: Literal["extensive", "decomposition", "mpisppy"] = "extensive"
    """``extensive``: one HiGHS solve of all scenarios at once; ``decomposition``: scenario by scenario
    (progressive hedging with a proven Lagrangian bound) until the certified gap is ``target_gap``;
    ``mpisppy``: progressive hedging in mpi-sppy (``pip install 'workforce[mpi]'``; runs under
    ``mpiexec``, see docs/stochastic.md)."""
    target_gap: float = Field(default=0.01, gt=0, le=0.5)
    """Relative gap between the decomposition's plan and its proven lower bound at which it stops."""
    tie_break: bool = True
    """Apply the scenario's ``objective.tie_break`` to the stochastic and the expected-value plans
    (models/stochastic.md 3.3): one plan among equal ones. ``false`` skips that last stage, which on
    the 100-draw EP study costs about twice the main solve; the plans are then whichever optima
    HiGHS meets first."""

    @model_validator(mode="after")
    def _named(self) -> Stochastic:
        if self.method in ("decomposition", "mpisppy") and self.risk is not None and self.risk.weight > 0:
            raise ValueError(f"`method: {self.method}` minimises expected cost; a `risk` term couples the scenarios "
                             "(allowed with it: method: extensive)")
        if self.scenarios is None:
            if self.parameters is not None:
                raise ValueError("`parameters` is for named `scenarios`; draws take theirs from `montecarlo:`")
            return self
        if not self.parameters:
            raise ValueError("named `scenarios` need `parameters` (the path of each value they change)")
        total = sum(s.probability for s in self.scenarios.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the scenarios' probabilities add up to {total:g}; they must add up to 1")
        for name, s in self.scenarios.items():
            unknown = sorted(set(s.values) - set(self.parameters))
            if unknown:
                raise ValueError(f"scenario {name} sets {', '.join(unknown)}, which is not among `parameters` "
                                 f"({', '.join(self.parameters)})")
        return self


class StochasticStudy(_Base):
    name: str = Field(min_length=1, max_length=120)
    scenario: str
    """Scenario YAML, relative to the study file."""
    description: str = ""
    montecarlo: MonteCarlo | None = None
    stochastic: Stochastic

    @model_validator(mode="after")
    def _source(self) -> StochasticStudy:
        if (self.montecarlo is None) == (self.stochastic.scenarios is None):
            raise ValueError("give the scenarios either as draws (`montecarlo:` with draws, seed and parameters) "
                             "or as named `stochastic.scenarios`, not both" if self.montecarlo is not None else
                             "give the scenarios: a `montecarlo:` section to draw them from, or named "
                             "`stochastic.scenarios` with probabilities")
        if self.stochastic.out_of_sample is not None and self.montecarlo is None:
            raise ValueError("`stochastic.out_of_sample` draws from the `montecarlo:` distributions; add that section")
        return self

    def levers(self) -> dict[str, Lever]:
        params = self.montecarlo.parameters if self.montecarlo is not None else self.stochastic.parameters
        return {n: Lever(n, parse_path(p.path), p.op) for n, p in (params or {}).items()}


def load_stochastic_study(path: str | Path) -> tuple[StochasticStudy, Path]:
    """Read and validate a stochastic study file (errors name the file, line and key)."""
    path = Path(path)
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(Problem("a study file must be a mapping of keys to values", file=str(path), line=1))
    if "stochastic" not in data:
        raise ScenarioError(Problem("a stochastic study needs a `stochastic:` section (commit_years, ...)",
                                    file=str(path), line=1))
    return study_from_dict(data, name=str(path), lines=lines, schema=StochasticStudy), path.parent


def draw_table(spec: StochasticStudy, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """The sampled parameter values, one row per scenario, drawn as a Monte Carlo study draws them."""
    mc = spec.montecarlo
    assert mc is not None
    mc = mc.model_copy(update={k: v for k, v in (("draws", draws), ("seed", seed)) if v is not None})
    return points(StudySpec(name=spec.name, scenario=spec.scenario, montecarlo=mc))


def run_stochastic_study(study: str | Path | StochasticStudy | Mapping[str, Any], *, base_dir: Path | None = None,
                         draws: int | None = None, threads: int = 0, warm: bool = True,
                         workers: int = 1) -> StochasticResult:
    """Build the study's scenarios, solve the stochastic plan and measure it. ``warm`` compiles the
    draws by changing the base's compiled model in place (:class:`WarmCompiler`) rather than one by
    one; ``workers`` > 1 compiles them on that many processes."""
    if isinstance(study, str | Path):
        spec, base_dir = load_stochastic_study(study)
    elif isinstance(study, StochasticStudy):
        spec = study
    else:  # the same data as a study file, e.g. from a notebook
        spec = study_from_dict(dict(study), schema=StochasticStudy)
    base = load_scenario((base_dir or Path.cwd()) / spec.scenario)
    data = base.model_dump()
    levers = spec.levers()
    for lever in levers.values():  # a path that does not exist is an error in the spec, not per scenario
        value_at(data, lever)
    st = spec.stochastic
    if st.scenarios is not None:
        table = pd.DataFrame([{n: s.values.get(n, float("nan")) for n in levers} for s in st.scenarios.values()],
                             index=list(st.scenarios))  # NaN: the scenario keeps the base value
        probabilities = [s.probability for s in st.scenarios.values()]
    else:
        table = draw_table(spec, draws=draws)
        probabilities = None
    compiler = WarmCompiler(base, levers, workers) if warm else None
    build = compiler.scenarios if compiler is not None else (lambda d, t, prefix: lever_scenarios(d, t, levers, prefix))
    scenarios = build(data, table, "draw")
    fresh = []
    if st.out_of_sample is not None:
        fresh = build(data, draw_table(spec, st.out_of_sample.draws, st.out_of_sample.seed), "fresh")
    risk = Risk(st.risk.alpha, st.risk.weight, st.risk.of) if st.risk is not None else None
    result = stochastic_plan(
        scenarios, probabilities, commit_years=st.commit_years, first_stage=st.first_stage, risk=risk,
        names=[str(i) if st.scenarios is not None else f"draw {i}" for i in table.index],
        values=table.reset_index(drop=True), out_of_sample=fresh, wait_and_see=st.wait_and_see, name=spec.name,
        mip_gap=st.mip_gap, time_limit=st.time_limit, threads=threads, compiler=compiler, method=st.method,
        workers=workers, target_gap=st.target_gap, tie_break=st.tie_break)
    result.base = base
    return result


__all__ = ["StochasticStudy", "load_stochastic_study", "run_stochastic_study"]
