"""Scenario → ModelData: every parameter of the formulation as a dense table keyed by its sets.

This is the only place inputs are reshaped. Names follow ``models/cohort_planning.md``: sets are
upper-case (``ROLES``, ``REGIONS``, ``YEARS``, ``PROGRAMMES``, ``STREAMS``, ``FLEX``), parameters
are snake_case and keyed by tuples in the order of their indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from workforce.scenario.checks import REGION, REGION_YEAR, YEAR
from workforce.scenario.schema import Scenario
from workforce.scenario.tables import resolve

Key = tuple[Any, ...]


@dataclass
class ModelData:
    """Parameters of the cohort-planning model (see models/cohort_planning.md)."""

    scenario: Scenario
    ROLES: list[str]
    REGIONS: list[str]
    YEARS: list[int]
    PROGRAMMES: list[str]
    STREAMS: list[str]
    FLEX: list[tuple[str, str]]
    """(role, option) pairs of flexible-supply options."""
    region_names: dict[str, str]
    # roles
    stock_initial: dict[Key, float]
    attrition: dict[Key, float]
    attrition_new: dict[Key, float]
    demand: dict[Key, float]
    penalty_shortfall: dict[str, float]
    cost_surplus: dict[str, float]
    surplus_max: dict[Key, float]
    hires_max: dict[Key, float]
    cost_hire: dict[str, float]
    stream_hire: dict[str, str | None]
    exits_enabled: dict[str, bool]
    exits_max: dict[Key, float]
    cost_exit: dict[str, float]
    stream_exit: dict[str, str | None]
    fte_per_unit: dict[tuple[str, str], float]
    cost_flex: dict[tuple[str, str], float]
    stream_flex: dict[tuple[str, str], str | None]
    flex_max: dict[Key, float]
    # programmes
    role_of: dict[str, str]
    source_of: dict[str, str]
    duration: dict[str, int]
    completion_rate: dict[str, float]
    cost_course: dict[tuple[str, int, str], float]
    """(programme, course year starting at 1, stream) → £k per starter."""
    places_max: dict[Key, float]
    national_places_max: dict[Key, float]
    supervision_ratio: dict[str, float]
    supervisor_role: dict[str, str]
    intake_min: dict[Key, float]
    intake_max: dict[Key, float]
    intake_prior: dict[Key, float]
    """(programme, region, year before the horizon) → starters."""
    # money
    budget: dict[Key, float]
    envelope: dict[str, float]
    surplus_groups: dict[str, tuple[list[str], dict[Key, float]]]
    weights: dict[str, float]
    # cohorts, targets, place shares, equity (issue 4; see workforce/model/policy_data.py)
    COHORT_PROGRAMMES: list[str] = field(default_factory=list)
    """Programmes delivered in whole cohorts."""
    required_share: dict[Key, float] = field(default_factory=dict)
    """(role, region, year) → share of demand that must be met (workforce/model/requirement.py)."""
    movement_share: dict[Key, float] = field(default_factory=dict)
    """(role, origin, destination, year) → share of the origin's start-of-year stock that moves
    (non-zero only; workforce/model/movement.py)."""
    SUPERVISION_END: list[str] = field(default_factory=list)
    """Programmes whose supervision ratio counts the year-end stock (workforce/model/supervision.py)."""
    fte_per_head: dict[Key, float] = field(default_factory=dict)
    """(role, year) → FTE one person adds or takes (roles with a value other than 1 only; workforce/model/fte.py)."""
    SUPERVISION_HEADS: list[str] = field(default_factory=list)
    """Programmes whose supervision ratio counts heads of a role with ``fte_per_head`` (workforce/model/fte.py)."""
    MOVE_ROUTES: list[tuple[str, str, str]] = field(default_factory=list)
    """(role, origin, destination) of the routes staff may be moved on (workforce/model/moves.py)."""
    move_max: dict[Key, float] = field(default_factory=dict)
    """(role, origin, destination, year) → most people moved."""
    cost_move: dict[str, float] = field(default_factory=dict)
    """Role → £k per person moved (roles with moves only)."""
    stream_move: dict[str, str | None] = field(default_factory=dict)
    """Role → stream that pays for its moves, or none."""
    capacity_weights: dict[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)
    """(capacity, programme) → weight of each course year it counts (workforce/model/capacity_years.py)."""
    cohort_min_size: dict[str, float] = field(default_factory=dict)
    cohort_max_size: dict[str, float] = field(default_factory=dict)
    cohort_region_min: dict[str, float] = field(default_factory=dict)
    cost_cohort: dict[tuple[str, str], float] = field(default_factory=dict)
    """(programme, stream) → £k per cohort run, paid in the intake year."""
    intake_upper: dict[Key, float] = field(default_factory=dict)
    """(programme, region, year) → most starters any cap allows (cohort programmes only)."""
    target_programme: dict[str, str] = field(default_factory=dict)
    target_measure: dict[str, str] = field(default_factory=dict)
    target_min: dict[Key, float] = field(default_factory=dict)
    """(target, scope, year) → least count; scope is a region code or ``national``."""
    target_years: dict[Key, list[int]] = field(default_factory=dict)
    """(target, year) → the years counted by the row of that year."""
    target_regions: dict[Key, list[str]] = field(default_factory=dict)
    """(target, scope) → the regions counted."""
    share_programme: dict[str, str] = field(default_factory=dict)
    share_regions: dict[str, list[str]] = field(default_factory=dict)
    share_min: dict[Key, float] = field(default_factory=dict)
    share_max: dict[Key, float] = field(default_factory=dict)
    attrition_tenure: dict[tuple[str, int], float] = field(default_factory=dict)
    """(role, b) → share of tied completers that leave in their b-th year after qualifying."""
    tenure_bands: dict[str, int] = field(default_factory=dict)
    """Role → number of tenure bands B (only roles with a ``tenure`` profile)."""
    tenure_programmes: dict[str, list[str]] = field(default_factory=dict)
    tenure_first_intake: dict[str, int] = field(default_factory=dict)
    DEADLINE_ROLES: list[str] = field(default_factory=list)
    """Roles with a statutory qualification deadline."""
    deadline_years: dict[str, int] = field(default_factory=dict)
    deadline_mode: dict[str, str] = field(default_factory=dict)
    penalty_breach: dict[str, float] = field(default_factory=dict)
    unqualified_initial: dict[Key, float] = field(default_factory=dict)
    """(role, region, years since appointment at the end of the year before the horizon) → posts."""
    intake_month: dict[tuple[str, str], int] = field(default_factory=dict)
    """(programme, intake) → start month counted from September (calendar programmes only)."""
    intake_delay: dict[tuple[str, str], int] = field(default_factory=dict)
    """(programme, intake) → academic years from starting to joining the role."""
    duration_months: dict[str, int] = field(default_factory=dict)
    prior_term: dict[str, str] = field(default_factory=dict)
    """Calendar programme → the intake its prior-intake cohorts started at."""
    FY_STREAMS: list[str] = field(default_factory=list)
    """Funding streams whose budget years are financial years (April to March)."""
    equity_roles: list[str] = field(default_factory=list)
    equity_basis: str | None = None
    """``horizon`` or ``year`` when the objective asks for regional equity, else none."""

    @property
    def first_year(self) -> int:
        return self.YEARS[0]

    @cached_property
    def programmes_into(self) -> dict[str, list[str]]:
        """Role → programmes whose completers join it (in PROGRAMMES order); pre-indexed for the build."""
        return {k: [p for p in self.PROGRAMMES if self.role_of[p] == k] for k in self.ROLES}

    @cached_property
    def programmes_from(self) -> dict[str, list[str]]:
        """Role → retraining programmes whose starters leave it (in PROGRAMMES order)."""
        return {k: [p for p in self.PROGRAMMES if self.source_of[p] == k] for k in self.ROLES}


def prepare(scenario: Scenario) -> ModelData:
    """Expand the scenario's tables to dense parameters over the model's sets."""
    from workforce.scenario.derive import validated

    scenario = validated(scenario, "prepare")
    keys = scenario.region_keys()
    years = scenario.years
    regions = [r.code for r in scenario.regions]

    def table(value: Any, dims: tuple[str, ...]) -> dict[Key, float]:
        values, problems = resolve(value, dims, keys, years)
        assert not problems, problems  # the scenario was checked when it was built
        return values

    def per(prefix: Any, value: Any, dims: tuple[str, ...]) -> dict[Key, float]:
        return {(prefix, *k): v for k, v in table(value, dims).items()}

    d: dict[str, Any] = {name: {} for name in ["stock_initial", "attrition", "attrition_new", "demand", "surplus_max", "hires_max", "exits_max", "flex_max", "places_max", "national_places_max", "intake_min", "intake_max", "intake_prior", "budget"]}
    flex: list[tuple[str, str]] = []
    fte_per_unit, cost_flex, stream_flex = {}, {}, {}
    for k, role in scenario.roles.items():
        d["stock_initial"].update(per(k, role.initial_stock, REGION))
        d["attrition"].update(per(k, role.attrition, REGION))
        new = role.attrition_new_entrants if role.attrition_new_entrants is not None else role.attrition
        d["attrition_new"].update(per(k, new, REGION))
        d["demand"].update(per(k, role.demand, REGION_YEAR))
        if role.surplus_max is not None:
            d["surplus_max"].update(per(k, role.surplus_max, REGION_YEAR))
        if role.hiring is not None:
            d["hires_max"].update(per(k, role.hiring.max, REGION_YEAR))
        if role.exits.enabled and role.exits.max is not None:
            d["exits_max"].update(per(k, role.exits.max, REGION_YEAR))
        for o, opt in role.flexible_supply.items():
            flex.append((k, o))
            fte_per_unit[k, o] = opt.fte_per_unit
            cost_flex[k, o] = opt.cost
            stream_flex[k, o] = opt.stream
            d["flex_max"].update({(k, o, *key): v for key, v in table(opt.max, REGION_YEAR).items()})
    cost_course: dict[tuple[str, int, str], float] = {}
    for p, prog in scenario.programmes.items():
        for y, costs in enumerate(prog.course_costs, start=1):
            for f, c in costs.items():
                cost_course[p, y, f] = c
        for name in ("places", "intake_min", "intake_max"):
            value = getattr(prog, name)
            if value is not None:
                d["places_max" if name == "places" else name].update(per(p, value, REGION_YEAR))
        if prog.national_places is not None:
            d["national_places_max"].update(per(p, prog.national_places, YEAR))
        for year, value in prog.prior_intake.items():
            d["intake_prior"].update({(p, r, year): v for (r,), v in table(value, REGION).items()})
    for f, stream in scenario.funding_streams.items():
        if stream.budget is not None:
            d["budget"].update(per(f, stream.budget, YEAR))
    roles = scenario.roles
    progs = scenario.programmes
    from workforce.model.capacity_years import prepare_capacity_years
    from workforce.model.fte import prepare_fte
    from workforce.model.movement import prepare_movement
    from workforce.model.moves import prepare_moves
    from workforce.model.policy_data import prepare_policy
    from workforce.model.requirement import prepare_requirement
    from workforce.model.supervision import prepare_supervision

    return ModelData(
        **prepare_policy(scenario, d),
        **prepare_requirement(scenario),
        **prepare_movement(scenario),
        **prepare_supervision(scenario),
        **prepare_capacity_years(scenario),
        **prepare_fte(scenario),
        **prepare_moves(scenario),
        scenario=scenario,
        ROLES=list(roles),
        REGIONS=regions,
        YEARS=years,
        PROGRAMMES=list(progs),
        STREAMS=list(scenario.funding_streams),
        FLEX=flex,
        region_names={r.code: r.name for r in scenario.regions},
        penalty_shortfall={k: r.shortfall_penalty for k, r in roles.items()},
        cost_surplus={k: r.surplus_cost for k, r in roles.items()},
        cost_hire={k: (r.hiring.cost if r.hiring else 0.0) for k, r in roles.items()},
        stream_hire={k: (r.hiring.stream if r.hiring else None) for k, r in roles.items()},
        exits_enabled={k: r.exits.enabled for k, r in roles.items()},
        cost_exit={k: r.exits.cost for k, r in roles.items()},
        stream_exit={k: r.exits.stream for k, r in roles.items()},
        fte_per_unit=fte_per_unit,
        cost_flex=cost_flex,
        stream_flex=stream_flex,
        role_of={p: g.role for p, g in progs.items()},
        source_of={p: g.source for p, g in progs.items()},
        duration={p: g.duration for p, g in progs.items()},
        completion_rate={p: g.completion_rate for p, g in progs.items()},
        cost_course=cost_course,
        supervision_ratio={p: g.supervision_ratio for p, g in progs.items() if g.supervision_ratio},
        supervisor_role={p: g.supervisor_role or g.role for p, g in progs.items() if g.supervision_ratio},
        envelope={f: s.envelope for f, s in scenario.funding_streams.items() if s.envelope is not None},
        surplus_groups={
            g: (list(group.roles), table(group.max, REGION_YEAR)) for g, group in scenario.surplus_groups.items()
        },
        weights={t: scenario.objective.weight(t) for t in _terms()},
        **d,
    )


def _terms() -> tuple[str, ...]:
    from workforce.scenario.schema import TERMS

    return TERMS
