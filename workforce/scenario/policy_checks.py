"""Cross-checks for cohorts, policy targets, place shares and regional equity (issue 4).

Each problem is a ``(key path, message)`` pair, located to file and line by the loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workforce.scenario.tables import did_you_mean, resolve

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

Path = tuple[Any, ...]
REGION = ("region",)
YEAR = ("year",)
REGION_YEAR = ("region", "year")


def target_region_keys(scenario: Scenario, regions: list[str]) -> dict[str, str]:
    """Region keys (code and name) of the listed regions only: a per-region target names only those."""
    keys = scenario.region_keys()
    codes = {keys[r] for r in regions if r in keys}
    return {key: code for key, code in keys.items() if code in codes}


def check_policy(scenario: Scenario) -> list[tuple[Path, str]]:
    """Problems with references and years in ``cohorts``, ``targets``, ``place_shares`` and
    ``objective.equity``."""
    problems: list[tuple[Path, str]] = []
    years = scenario.years
    keys = scenario.region_keys()
    programmes = scenario.programmes

    def need_programme(path: Path, p: str) -> bool:
        if p in programmes:
            return True
        problems.append((path, f"unknown programme {p!r}{did_you_mean(p, programmes)}; "
                               f"programmes: {', '.join(programmes) or '(none)'}"))
        return False

    def need_regions(path: Path, regions: list[str]) -> None:
        seen: set[str] = set()
        for i, r in enumerate(regions):
            code = keys.get(r)
            if code is None:
                problems.append(((*path, i), f"unknown region {r!r}{did_you_mean(r, keys)}"))
            elif code in seen:
                problems.append(((*path, i), f"region {code} is listed twice"))
            else:
                seen.add(code)

    def need_year(path: Path, year: int | None) -> None:
        if year is not None and not years[0] <= year <= years[-1]:
            problems.append((path, f"year {year} is outside the horizon {years[0]}-{years[-1]}"))

    for p, prog in programmes.items():
        c = prog.cohorts
        if c is None:
            continue
        base = ("programmes", p, "cohorts")
        for f in c.fixed_cost:
            if f not in scenario.funding_streams:
                problems.append(((*base, "fixed_cost", f), f"unknown funding stream {f!r}"
                                 f"{did_you_mean(f, scenario.funding_streams)}"))
        if prog.places is None and prog.intake_max is None and prog.national_places is None:
            problems.append((base, "a programme delivered in cohorts needs places, intake_max or "
                                   "national_places: they bound the number of cohorts a region can run"))
        if c.region_minimum > 0 and c.region_minimum < c.min_size:
            problems.append(((*base, "region_minimum"), f"{c.region_minimum:g} is below min_size "
                             f"{c.min_size:g}, so it never binds; remove it or raise it"))
    for g, t in scenario.targets.items():
        base = ("targets", g)
        need_programme((*base, "programme"), t.programme)
        need_year((*base, "from_year"), t.from_year)
        need_year((*base, "by_year"), t.by_year)
        if t.from_year is not None and t.from_year > t.by_year:
            problems.append(((*base, "from_year"), f"{t.from_year} is after by_year {t.by_year}"))
        if t.regions is not None:
            need_regions((*base, "regions"), t.regions)
        if t.scope == "national" and isinstance(t.at_least, Mapping) and any(isinstance(k, str) for k in t.at_least):
            problems.append(((*base, "at_least"), "a national target is one number, or one per year; "
                                                  "write scope: region for a value per region"))
        elif not problems:
            rows = target_row_years(t, years)
            if t.scope == "region":
                scope_keys = target_region_keys(scenario, t.regions) if t.regions is not None else scenario.region_keys()
                _, found = resolve(t.at_least, REGION_YEAR, scope_keys, rows)
            else:
                _, found = resolve(t.at_least, YEAR, scenario.region_keys(), rows)
            problems += [((*base, "at_least", *sub), msg) for sub, msg in found]
    for g, s in scenario.place_shares.items():
        base = ("place_shares", g)
        need_programme((*base, "programme"), s.programme)
        need_regions((*base, "regions"), s.regions)
        need_year((*base, "from_year"), s.from_year)
        need_year((*base, "to_year"), s.to_year)
        if s.from_year is not None and s.to_year is not None and s.from_year > s.to_year:
            problems.append(((*base, "from_year"), f"{s.from_year} is after to_year {s.to_year}"))
    for k, role in scenario.roles.items():
        if role.tenure is None or role.tenure.programmes is None:
            continue
        for i, p in enumerate(role.tenure.programmes):
            path = ("roles", k, "tenure", "programmes", i)
            if need_programme(path, p) and programmes[p].role != k:
                problems.append((path, f"programme {p!r} trains {programmes[p].role!r}, not {k!r}"))
    equity = scenario.objective.equity
    if equity is not None and equity.roles is not None:
        for i, k in enumerate(equity.roles):
            if k not in scenario.roles:
                problems.append((("objective", "equity", "roles", i),
                                 f"unknown role {k!r}{did_you_mean(k, scenario.roles)}"))
    return problems


def target_row_years(t: Any, years: list[int]) -> list[int]:
    """Years with a row of target ``t``: from_year..by_year for an annual target, by_year otherwise.
    ``at_least`` gives a value for each (one number, by year, by region or region -> year)."""
    first = t.from_year if t.from_year is not None else years[0]
    return list(range(first, t.by_year + 1)) if t.annual else [t.by_year]

