"""Changed copies of a validated scenario, validated again; and the guard that keeps unvalidated
scenarios away from the solver.

A :class:`~workforce.scenario.schema.Scenario` is immutable. ``scenario.derive(changes)`` merges
``changes`` into it with the rules of a variant file (:mod:`workforce.scenario.compose`: mappings
merge key by key, tables and lists replace, ``None`` removes a key) and validates the result like a
scenario read from YAML, so ``derive({"roles": {"ep": {"attrition": 1.7}}})`` is refused where
pydantic's ``model_copy(update=...)`` would have let it through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workforce.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

IMMUTABLE = ("a validated scenario is immutable; make a changed, validated copy with "
             "scenario.derive({...}), e.g. scenario.derive({'roles': {'ep': {'attrition': 0.12}}})")


def derive(scenario: Scenario, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> Scenario:
    """``scenario`` with ``changes`` (and keyword ``fields``, top-level keys) merged in, validated."""
    from workforce.scenario.compose import merge
    from workforce.scenario.load import validate_data

    if changes is not None and not isinstance(changes, Mapping):
        raise TypeError(f"derive() takes a mapping of the keys to change (as a variant file writes them), "
                        f"not {type(changes).__name__}")
    over = {**dict(changes or {}), **fields}
    data, sources = merge(scenario.model_dump(exclude_unset=True), dict(scenario._sources), _plain(over), {})
    origin = scenario._origin
    derived = validate_data(data, sources, dict(scenario._inputs), f"{origin} (derived)")
    return derived


def _plain(node: Any) -> Any:
    """Mappings (pydantic models included) as dicts, so that they merge key by key."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        node = node.model_dump(exclude_unset=True)
    if isinstance(node, Mapping):
        return {k: _plain(v) for k, v in node.items()}
    return node


def validated(scenario: Any, function: str) -> Scenario:
    """``scenario`` if it is a Scenario that passed validation; a Scenario built without validation
    (``Scenario.model_construct``) is validated now; anything else is a TypeError saying what to pass."""
    from workforce.scenario.load import validate_data
    from workforce.scenario.schema import Scenario

    if not isinstance(scenario, Scenario):
        hint = ("load it first: load_scenario(path)" if isinstance(scenario, str) or hasattr(scenario, "suffix")
                else "build one with load_scenario(path) or scenario_from_dict(data)")
        raise TypeError(f"{function}() needs a Scenario, not {type(scenario).__name__}; {hint}")
    if scenario._validated:
        return scenario
    try:
        data = scenario.model_dump(exclude_unset=True, warnings=False)
    except Exception as exc:  # a model_construct'ed object may hold anything
        raise ScenarioError(Problem(f"this scenario was built without validation and cannot be read back ({exc}); "
                                    "build it with load_scenario or scenario_from_dict")) from None
    return validate_data(data, dict(scenario._sources), dict(scenario._inputs), scenario._origin)
