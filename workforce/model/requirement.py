"""Hard requirements (issue 16, section 5): a share of demand that must be met, as a constraint.

``roles.<k>.required_share`` (by region and year, between 0 and 1) gives ``required_share[k,r,t]``;
the row ``requirement_limit[k,r,t]`` is

    shortfall[k,r,t] ≤ (1 − required_share[k,r,t]) · demand[k,r,t]

so at least that share of demand is met by stock and flexible supply (models/cohort_planning.md,
section 5.1). The shortfall penalty still prices whatever shortfall the row allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.scenario.checks import REGION_YEAR
from workforce.scenario.tables import resolve

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

    from workforce.model.data import Key, ModelData
    from workforce.scenario.schema import Scenario


def prepare_requirement(scenario: Scenario) -> dict[str, Any]:
    """The ModelData field ``required_share``: (role, region, year) → share of demand to meet."""
    keys, years = scenario.region_keys(), scenario.years
    share: dict[Key, float] = {}
    for k, role in scenario.roles.items():
        if role.required_share is not None:
            values, problems = resolve(role.required_share, REGION_YEAR, keys, years)
            assert not problems, problems  # checked when the scenario was built
            share.update({(k, *key): v for key, v in values.items()})
    return {"required_share": share}


def allowed_shortfall(d: ModelData, k: str, r: str, t: int) -> float:
    """(1 − required_share) · demand: the most shortfall the requirement allows."""
    return (1.0 - d.required_share[k, r, t]) * d.demand[k, r, t]


def add_requirement_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """shortfall ≤ (1 − required_share) · demand, where a role states a required share."""
    import pyomo.environ as pyo

    m.requirement_limit = pyo.Constraint(
        list(d.required_share), rule=lambda m, k, r, t: m.shortfall[k, r, t] <= allowed_shortfall(d, k, r, t)
    )


def requirement_bounds(d: ModelData) -> dict[Key, float]:
    """Right-hand sides of the requirement rows, for the array construction."""
    return {key: allowed_shortfall(d, *key) for key in d.required_share}
