"""Staff moving between regions (issue 16, section 5): ``roles.<k>.movement``.

A matrix of annual movement shares, origin region -> destination region -> share of the origin's
stock at the start of the year (one number for every year, or a mapping year -> share covering the
horizon)::

    movement:
      North East: {London: 0.02, E12000002: 0.01}
      London: {North East: {2026: 0.01, 2027: 0.01, 2028: 0.0}}

or ``{file: movement.csv}`` with columns ``from, to, share`` and optionally ``year``
(:mod:`workforce.scenario.csvio`). Regions are written by code or name, as in every table. The model
rule is in :mod:`workforce.model.movement` (models/cohort_planning.md, section 21.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from workforce.scenario.tables import (
    ReadOnlyDict,
    TableValueError,
    did_you_mean,
    look_alike,
    normalised_region,
    resolve,
    table_number,
)

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

Path = tuple[Any, ...]
Key = tuple[Any, ...]

_SHARE_SCHEMA = {"type": "number", "minimum": 0, "maximum": 1}
_MOVEMENT_SCHEMA = {
    "type": "object",
    "x-shape": "mapping origin region → destination region → share (or year → share), or {file: ...}",
    "description": "origin region -> destination region -> share of the origin's stock a year (or year -> share); "
                   "or {file: path.csv} with columns from, to, share (and optionally year)",
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": {
            "anyOf": [_SHARE_SCHEMA, {"type": "object", "additionalProperties": _SHARE_SCHEMA}]}}],
    },
}


def _share(value: Any, subpath: Path) -> float:
    number = table_number(value, subpath)
    if number > 1:
        raise TableValueError(f"is a share of the origin's stock and must be between 0 and 1, got {number:g}", subpath)
    return number


def _check_movement(value: Any) -> Any:
    """Shape check: origin -> destination -> share, or -> year -> share (regions are checked later)."""
    if not isinstance(value, Mapping):
        raise TableValueError("expected a mapping origin region -> destination region -> share, or {file: x.csv}")
    if "file" in value:
        raise TableValueError("a `file:` table can only be read when the scenario is loaded from a YAML file "
                              "(load_scenario); in Python pass the shares as a mapping")
    return route_table(value, _share, "share")


def route_table(value: Mapping[Any, Any], cell: Callable[[Any, tuple[Any, ...]], float], what: str) -> Any:
    """origin -> destination -> ``cell`` value, or -> year -> value, as read-only mappings; ``cell``
    checks one number at its key path (section 21.4 shares, section 24 caps)."""
    out: dict[Any, Any] = {}
    for origin, row in value.items():
        if not isinstance(origin, str):
            raise TableValueError(f"keys must be region codes or names (the origin), got {origin!r}", (origin,))
        if not isinstance(row, Mapping):
            raise TableValueError(f"expected a mapping destination region -> {what}", (origin,))
        inner: dict[Any, Any] = {}
        for dest, entry in row.items():
            if not isinstance(dest, str):
                raise TableValueError(f"keys must be region codes or names (the destination), got {dest!r}",
                                      (origin, dest))
            if isinstance(entry, Mapping):
                by_year = {}
                for year, v in entry.items():
                    if isinstance(year, bool) or not isinstance(year, int):
                        raise TableValueError(f"expected a year, got {year!r}", (origin, dest, year))
                    by_year[year] = cell(v, (origin, dest, year))
                inner[dest] = ReadOnlyDict(by_year)
            else:
                inner[dest] = cell(entry, (origin, dest))
        out[origin] = ReadOnlyDict(inner)
    return ReadOnlyDict(out)


Movement = Annotated[Any, PlainValidator(_check_movement), WithJsonSchema(_MOVEMENT_SCHEMA)]
"""Type of ``roles.<k>.movement``."""


def _region(key: str, regions: Mapping[str, str]) -> str | None:
    return regions.get(key) or normalised_region(key, regions)


def movement_shares(scenario: Scenario, k: str) -> tuple[dict[Key, float], list[tuple[Path, str]]]:
    """(origin, destination, year) -> share for role ``k``, zeros left out; and the problems found."""
    return route_values(scenario, scenario.roles[k].movement, ("roles", k, "movement"), keep_zero=False)


def route_values(scenario: Scenario, table: Mapping[str, Mapping[str, Any]] | None, base: Path,
                 keep_zero: bool) -> tuple[dict[Key, float], list[tuple[Path, str]]]:
    """(origin code, destination code, year) -> value of an origin -> destination table (section 21.4
    shares, section 24 caps) at key path ``base``, zeros kept only with ``keep_zero``; and the
    problems found: unknown regions, a region to itself, a route given twice, years."""
    keys, years = scenario.region_keys(), scenario.years
    codes = list(dict.fromkeys(keys.values()))
    out: dict[Key, float] = {}
    problems: list[tuple[Path, str]] = []

    def code_of(key: str, path: Path) -> str | None:
        code = _region(key, keys)
        if code is None:
            problems.append((path, f"unknown region {key!r}{look_alike(key, keys) or did_you_mean(key, keys)}; "
                                   f"the scenario's regions are {', '.join(codes)}"))
        return code

    seen: dict[tuple[str, ...], str] = {}
    for origin, row in (table or {}).items():
        r = code_of(origin, (*base, origin))
        for dest, value in row.items():
            q = code_of(dest, (*base, origin, dest))
            if r is None or q is None:
                continue
            if r == q:
                problems.append(((*base, origin, dest), f"staff cannot move from {r} to itself; leave this entry out"))
                continue
            if (r, q) in seen:
                problems.append(((*base, origin, dest), f"the move {r} -> {q} is given twice (also as {seen[r, q]})"))
                continue
            seen[r, q] = f"{origin} -> {dest}"
            values, found = resolve(value, ("year",), keys, years)
            problems += [((*base, origin, dest, *sub), msg) for sub, msg in found]
            out.update({(r, q, t): v for (t,), v in values.items() if v or keep_zero})
    return out, problems

def check_movement(scenario: Scenario) -> list[tuple[Path, str]]:
    """Every problem of every role's movement matrix: regions, years, and shares that with attrition
    would take more than a region's whole stock in a year."""
    problems: list[tuple[Path, str]] = []
    keys = scenario.region_keys()
    for k, role in scenario.roles.items():
        if role.movement is None:
            continue
        base: Path = ("roles", k, "movement")
        if role.tenure is not None:
            problems.append((base, "movement between regions is not modelled for a role with a tenure profile "
                                   "(roles.<k>.tenure): tied staff are tracked in their region; remove one of them"))
            continue
        shares, found = movement_shares(scenario, k)
        problems += found
        if found:
            continue
        problems += _too_much(scenario, k, shares, keys)
    return problems


def _too_much(scenario: Scenario, k: str, shares: dict[Key, float], keys: Mapping[str, str]) -> list[tuple[Path, str]]:
    """Origins whose shares out plus attrition exceed 1 in some year (the stock would go negative)."""
    role = scenario.roles[k]
    attrition, _ = resolve(role.attrition, ("region",), keys, scenario.years)
    new = role.attrition_new_entrants if role.attrition_new_entrants is not None else role.attrition
    attrition_new, _ = resolve(new, ("region",), keys, scenario.years)
    out_total: dict[tuple[str, int], float] = {}
    for (r, _q, t), v in shares.items():
        out_total[r, t] = out_total.get((r, t), 0.0) + v
    names = {code: name for name, code in keys.items() if name != code}
    problems: list[tuple[Path, str]] = []
    for (r, t), total in sorted(out_total.items()):
        rate = max(attrition[(r,)], attrition_new[(r,)])
        if total + rate > 1 + 1e-9:
            origin = next((key for key in (role.movement or {}) if keys.get(key) == r), names.get(r, r))
            problems.append((("roles", k, "movement", origin),
                             f"shares out of {r} in {t} sum to {total:g}, and with attrition {rate:g} the region "
                             f"would lose {total + rate:g} of its stock in a year; shares out plus attrition "
                             "must be at most 1"))
            break
    return problems
