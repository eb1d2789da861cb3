"""Checks that need the whole scenario: references between sections, and table coverage.

Each problem is a ``(key path, message)`` pair; :mod:`workforce.scenario.load` turns key paths into
file and line. The same function serves scenarios built in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.scenario.tables import did_you_mean, resolve

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

Path = tuple[Any, ...]

REGION_YEAR = ("region", "year")
REGION = ("region",)
YEAR = ("year",)


class ScenarioCheckError(ValueError):
    """Raised inside pydantic validation; carries every cross-check problem."""

    def __init__(self, problems: list[tuple[Path, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))


def table_fields(scenario: Scenario) -> list[tuple[Path, Any, tuple[str, ...], list[int]]]:
    """Every table in the scenario: (key path, value, dimensions, years it must cover)."""
    years = scenario.years
    out: list[tuple[Path, Any, tuple[str, ...], list[int]]] = []
    for k, role in scenario.roles.items():
        base = ("roles", k)
        out += [
            ((*base, "initial_stock"), role.initial_stock, REGION, years),
            ((*base, "attrition"), role.attrition, REGION, years),
            ((*base, "demand"), role.demand, REGION_YEAR, years),
        ]
        if role.attrition_new_entrants is not None:
            out.append(((*base, "attrition_new_entrants"), role.attrition_new_entrants, REGION, years))
        if role.surplus_max is not None:
            out.append(((*base, "surplus_max"), role.surplus_max, REGION_YEAR, years))
        if role.required_share is not None:
            out.append(((*base, "required_share"), role.required_share, REGION_YEAR, years))
        if role.hiring is not None:
            out.append(((*base, "hiring", "max"), role.hiring.max, REGION_YEAR, years))
        if role.fte_per_head is not None:  # section 23
            out.append(((*base, "fte_per_head"), role.fte_per_head, YEAR, years))
        if role.exits.max is not None:
            out.append(((*base, "exits", "max"), role.exits.max, REGION_YEAR, years))
        for o, opt in role.flexible_supply.items():
            out.append(((*base, "flexible_supply", o, "max"), opt.max, REGION_YEAR, years))
    for p, prog in scenario.programmes.items():
        base = ("programmes", p)
        for key in ("places", "intake_min", "intake_max"):
            value = getattr(prog, key)
            if value is not None:
                out.append(((*base, key), value, REGION_YEAR, years))
        if prog.national_places is not None:
            out.append(((*base, "national_places"), prog.national_places, YEAR, years))
        for year, value in prog.prior_intake.items():
            out.append(((*base, "prior_intake", year), value, REGION, years))
    for f, stream in scenario.funding_streams.items():
        if stream.budget is not None:
            out.append((("funding_streams", f, "budget"), stream.budget, YEAR, years))
    for g, group in scenario.surplus_groups.items():
        out.append((("surplus_groups", g, "max"), group.max, REGION_YEAR, years))
    return out


FRACTION_TABLES = {"attrition", "attrition_new_entrants"}


def check_scenario(scenario: Scenario) -> None:
    """Raise :class:`ScenarioCheckError` listing every cross-reference or table problem."""
    problems: list[tuple[Path, str]] = []
    problems += _check_regions(scenario)
    problems += _check_references(scenario)
    from workforce.scenario.policy_checks import check_policy

    problems += check_policy(scenario)
    from workforce.scenario.discount_checks import problems as discount_problems  # section 8.7

    problems += discount_problems(scenario)
    if not problems:
        keys = scenario.region_keys()
        for path, value, dims, years in table_fields(scenario):
            values, found = resolve(value, dims, keys, years)
            problems += [((*path, *sub), msg) for sub, msg in found]
            if path[-1] in FRACTION_TABLES:
                problems += [
                    (path, f"is a share of the stock and must be between 0 and 1, got {v:g}")
                    for v in sorted(set(values.values()))
                    if v > 1
                ][:1]
            if path[-1] == "required_share":
                problems += [(path, f"is a share of demand and must be between 0 and 1, got {v:g}")
                             for v in sorted(set(values.values())) if v > 1][:1]
        problems += _check_limits(scenario)
        from workforce.scenario.movement import check_movement

        problems += check_movement(scenario)
        from workforce.scenario.fte import check_fte  # heads and FTE (section 23)

        problems += check_fte(scenario)
        from workforce.scenario.moves import check_moves  # moves between regions (section 24)

        problems += check_moves(scenario)
    if problems:
        raise ScenarioCheckError(problems)


def _check_regions(scenario: Scenario) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    seen: dict[str, int] = {}
    for i, region in enumerate(scenario.regions):
        for label in (region.code, region.name):
            if label in seen and seen[label] != i:
                problems.append((("regions", i), f"{label!r} is used by two regions"))
            seen[label] = i
    return problems


def _check_references(scenario: Scenario) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    roles = scenario.roles
    streams = scenario.funding_streams
    years = scenario.years

    def need_role(path: Path, role: str, allow_external: bool = False) -> None:
        if role in roles or (allow_external and role == "external"):
            return
        choices = list(roles) + (["external"] if allow_external else [])
        problems.append(
            (path, f"unknown role {role!r}{did_you_mean(role, choices)}; roles: {', '.join(choices)}")
        )

    def need_stream(path: Path, stream: str | None) -> None:
        if stream is None or stream in streams:
            return
        problems.append(
            (path, f"unknown funding stream {stream!r}{did_you_mean(stream, streams)}; "
             f"streams: {', '.join(streams) or '(none declared under funding_streams)'}")
        )

    for k in scenario.horizon.completer_value:  # section 10.3
        need_role(("horizon", "completer_value", k), k)
    for k, role in roles.items():
        if role.hiring is not None:
            need_stream(("roles", k, "hiring", "stream"), role.hiring.stream)
        need_stream(("roles", k, "exits", "stream"), role.exits.stream)
        for o, opt in role.flexible_supply.items():
            need_stream(("roles", k, "flexible_supply", o, "stream"), opt.stream)
    for p, prog in scenario.programmes.items():
        need_role(("programmes", p, "role"), prog.role)
        need_role(("programmes", p, "source"), prog.source, allow_external=True)
        if prog.source == prog.role:
            problems.append((("programmes", p, "source"), "a programme cannot retrain a role into itself"))
        if prog.supervisor_role is not None:
            need_role(("programmes", p, "supervisor_role"), prog.supervisor_role)
        for y, costs in enumerate(prog.course_costs):
            for f in costs:
                need_stream(("programmes", p, "course_costs", y, f), f)
        delay, at = prior_delay(prog)
        for year in prog.prior_intake:
            if year >= years[0]:
                problems.append(
                    (("programmes", p, "prior_intake", year),
                     f"prior intake must be before the first planning year {years[0]}")
                )
            elif year + delay < years[0]:
                problems.append(
                    (("programmes", p, "prior_intake", year),
                     f"a {year} intake{at} completes in {year + delay}, before the horizon "
                     f"{years[0]}-{years[-1]}; count those staff in initial_stock")
                )
    for g, group in scenario.surplus_groups.items():
        for i, role in enumerate(group.roles):
            need_role(("surplus_groups", g, "roles", i), role)
            if role in group.roles[:i]:
                problems.append((("surplus_groups", g, "roles", i), f"role {role!r} is listed twice"))
    objective = scenario.objective
    if objective.lexicographic is not None:
        flat = [t for group in objective.lexicographic for t in group]
        if not flat:
            problems.append((("objective", "lexicographic"), "lists no terms"))
        dupes = sorted({t for t in flat if flat.count(t) > 1})
        if dupes:
            problems.append((("objective", "lexicographic"), f"term(s) listed twice: {', '.join(dupes)}"))
    return problems


def _check_limits(scenario: Scenario) -> list[tuple[Path, str]]:
    """Minimums above maximums are contradictions a planner should hear about before solving."""
    problems: list[tuple[Path, str]] = []
    keys = scenario.region_keys()
    years = scenario.years
    for p, prog in scenario.programmes.items():
        if prog.intake_min is None:
            continue
        low, _ = resolve(prog.intake_min, REGION_YEAR, keys, years)
        for key in ("intake_max", "places"):
            value = getattr(prog, key)
            if value is None:
                continue
            high, _ = resolve(value, REGION_YEAR, keys, years)
            bad = [(r, t) for (r, t), v in low.items() if (r, t) in high and v > high[(r, t)] + 1e-9]
            if bad:
                r, t = bad[0]
                problems.append(
                    (("programmes", p, "intake_min"),
                     f"is above {key} for {len(bad)} region-year(s), e.g. {r} {t}: "
                     f"{low[(r, t)]:g} > {high[(r, t)]:g}")
                )
    return problems


def prior_delay(prog: Any) -> tuple[int, str]:
    """Years from starting to joining the role of the programme's prior cohorts, as the model times
    them (section 15): ``duration``, or for a calendar programme the delay of the intake the prior
    cohorts started at (``prior_intake_at``, default the first listed); and words naming that intake."""
    cal = prog.calendar
    if cal is None:
        return prog.duration, ""
    term = cal.prior_intake_at or next(iter(cal.intakes))
    return cal.delay(cal.intakes[term]), f" ({term})"
