"""Bounded, costed moves between regions (issue 16, section 5): ``roles.<k>.moves``.

Moves are decisions (unlike ``movement``, a matrix of fixed shares): the plan chooses how many
qualified staff of the role to move from one region to another each year, up to a cap per route,
at a cost per person::

    moves:
      cost: 3             # £k per person moved (default 0)
      stream: la          # funding stream that pays (optional)
      max:                # origin region -> destination region -> most people a year (or year -> number)
        North East: {London: 5}
        London: {North East: {2026: 2, 2027: 0}}

Regions are written by code or name. The model rule is in :mod:`workforce.model.moves`
(models/cohort_planning.md, section 24).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from workforce.scenario.movement import route_table, route_values
from workforce.scenario.schema_base import Base, Id, Money
from workforce.scenario.tables import TableValueError, did_you_mean, table_number

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

Path = tuple[Any, ...]
Key = tuple[Any, ...]

_CAP_SCHEMA = {"type": "number", "minimum": 0}
_ROUTES_SCHEMA = {
    "type": "object",
    "x-shape": "mapping origin region → destination region → most people a year (or year → number)",
    "description": "origin region -> destination region -> most people moved a year (or year -> number)",
    "additionalProperties": {"type": "object", "additionalProperties": {
        "anyOf": [_CAP_SCHEMA, {"type": "object", "additionalProperties": _CAP_SCHEMA}]}},
}


def _check_routes(value: Any) -> Any:
    """Shape check: origin -> destination -> number, or -> year -> number (regions are checked later)."""
    if isinstance(value, Mapping) and "file" in value:
        raise TableValueError("moves cannot be read from a file yet; write the routes as a mapping origin region "
                              "-> destination region -> most people a year")
    if not isinstance(value, Mapping):
        raise TableValueError("expected a mapping origin region -> destination region -> most people a year")
    return route_table(value, table_number, "most people a year")


Routes = Annotated[Any, PlainValidator(_check_routes), WithJsonSchema(_ROUTES_SCHEMA)]
"""Type of ``roles.<k>.moves.max``."""


class Moves(Base):
    """Moves of qualified staff between regions as a decision, capped per route and costed per person."""

    max: Routes
    """Most people moved a year on each route: origin region -> destination region -> number, or
    -> year -> number covering the horizon, e.g. ``{North East: {London: 5}}``. Routes not listed
    cannot be used."""
    cost: Money = 0.0
    """Cost of moving one person (£k), counted in the hiring_cost term."""
    stream: Id | None = None
    """Funding stream that pays for moves; none means the cost counts in the objective only."""


def move_caps(scenario: Scenario, k: str) -> tuple[dict[Key, float], list[tuple[Path, str]]]:
    """(origin, destination, year) -> most people moved, every route listed; and the problems found."""
    moves = scenario.roles[k].moves
    return route_values(scenario, moves.max if moves is not None else None, ("roles", k, "moves", "max"),
                        keep_zero=True)

def check_moves(scenario: Scenario) -> list[tuple[Path, str]]:
    """Every problem of every role's moves: regions, routes, years, the paying stream, and rules
    they cannot be combined with yet."""
    problems: list[tuple[Path, str]] = []
    for k, role in scenario.roles.items():
        if role.moves is None:
            continue
        base: Path = ("roles", k, "moves")
        if role.tenure is not None:
            problems.append((base, "moves between regions are not modelled for a role with a tenure profile "
                                   "(roles.<k>.tenure): tied staff are tracked in their region; remove one of them"))
            continue
        if role.moves.stream is not None and role.moves.stream not in scenario.funding_streams:
            known = list(scenario.funding_streams)
            problems.append(((*base, "stream"), f"unknown funding stream {role.moves.stream!r}"
                                                f"{did_you_mean(role.moves.stream, known)}; the streams are "
                                                f"{', '.join(known) or 'none'}"))
        problems += move_caps(scenario, k)[1]
    return problems
