"""Turn each role's ``demand_forecast`` spec into its ``demand`` table, before validation.

The spec stays in the scenario (so the validated scenario says where its demand came from) and
``demand`` holds the numbers every later stage reads, so plain ``demand`` tables work unchanged.
A scenario that gives both (for example a dumped scenario validated again) must give the same
numbers in both, or it is refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workforce.scenario.checks import REGION
from workforce.scenario.horizon_extend import reported_to
from workforce.scenario.projection import ForecastError, convert, project
from workforce.scenario.schema import ENGLAND_REGIONS, DemandForecast, Horizon, Region
from workforce.scenario.tables import did_you_mean, resolve

Path = tuple[Any, ...]
Problems = list[tuple[Path, str]]


def expand_demand_forecasts(data: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """Return ``data`` with ``demand`` computed for every role that has ``demand_forecast``.

    Problems are ``(key path, message)`` pairs. A spec that does not validate is left for the
    schema to report; its role gets a placeholder demand so that only the real errors are shown.
    """
    roles = data.get("roles")
    if not isinstance(roles, dict) or not any(
        isinstance(r, dict) and r.get("demand_forecast") is not None for r in roles.values()
    ):
        return data, []
    years, keys = _horizon_and_regions(data)
    problems: Problems = []
    new_roles = dict(roles)
    for k, role in roles.items():
        if not isinstance(role, dict) or role.get("demand_forecast") is None:
            continue
        path = ("roles", k, "demand_forecast")
        spec = None
        if years is not None and keys is not None:
            try:
                spec = DemandForecast.model_validate(role["demand_forecast"])
            except ValidationError:
                spec = None
        role = dict(role)
        if spec is None:
            role.setdefault("demand", 0)
        else:
            table, found = forecast_table(spec, keys, years, path)
            problems += found
            if not found:
                if "demand" in role and not _same(role["demand"], table, keys, years):
                    problems.append(
                        (("roles", k, "demand"),
                         "both demand and demand_forecast are given and they differ; write only "
                         "demand_forecast (the loader computes demand from it) or only demand")
                    )
                role["demand"] = table
            else:
                role.setdefault("demand", 0)
        new_roles[k] = role
    return {**data, "roles": new_roles}, problems


def forecast_table(
    spec: DemandForecast, keys: dict[str, str], years: list[int], path: Path = ()
) -> tuple[dict[str, dict[int, float]], Problems]:
    """Demand by region code and year from a validated spec (with its ``plus`` components), and the problems found."""
    problems: Problems = []
    codes = list(dict.fromkeys(keys.values()))
    series: dict[str, Any] = {}
    driver = spec.driver
    if not isinstance(driver, dict):
        if spec.method != "flat":
            return {}, [((*path, "driver"), f"method {spec.method!r} needs a series by region and year")]
        series = dict.fromkeys(codes, driver)
    else:
        for key, value in driver.items():
            code = keys.get(key) if isinstance(key, str) else None
            if code is None:
                problems.append(((*path, "driver", key), f"unknown region {key!r}{did_you_mean(str(key), keys)}; "
                                 f"the driver needs one row per region ({', '.join(codes)})"))
            else:
                series[code] = value
        missing = [c for c in codes if c not in series]
        if missing and not problems:
            problems.append(((*path, "driver"), f"no driver series for region(s) {', '.join(missing)}"))
    ratios: dict[str, dict[str, dict[tuple[Any, ...], float]]] = {}
    for kind in ("multiply", "divide"):
        ratios[kind] = {}
        for name, value in getattr(spec, kind).items():
            values, found = resolve(value, REGION, keys, years)
            problems += [((*path, kind, name, *sub), msg) for sub, msg in found]
            if kind == "divide" and any(v == 0 for v in values.values()):
                problems.append(((*path, kind, name), "a ratio to divide by must not be zero"))
            ratios[kind][name] = values
    if problems:
        return {}, problems
    parts = []
    for name, part in spec.plus.items():
        table, found = forecast_table(part, keys, years, (*path, "plus", name))
        problems += found
        parts.append(table)
    observed = {y for v in series.values() if isinstance(v, dict) for y in v}
    if observed:
        if spec.fit_from is not None and spec.fit_from < min(observed):
            problems.append(((*path, "fit_from"), f"{spec.fit_from} is before the driver's first year {min(observed)}"))
        if spec.fit_to is not None and spec.fit_to > max(observed):
            problems.append(((*path, "fit_to"), f"{spec.fit_to} is after the driver's last year {max(observed)}"))
    if problems:
        return {}, problems
    wanted = [t + spec.driver_year_offset for t in years]
    out: dict[str, dict[int, float]] = {}
    for code in codes:
        raw = series[code]
        observed = raw if isinstance(raw, dict) else {wanted[0]: raw}
        try:
            projected = project(observed, wanted, spec.method, fit_from=spec.fit_from, fit_to=spec.fit_to,
                                damping=spec.damping, long_run_growth=spec.long_run_growth)
        except ForecastError as exc:
            label = next((k for k in driver if keys.get(k) == code), code) if isinstance(driver, dict) else ()
            problems.append(((*path, "driver", *([label] if label != () else [])), str(exc)))
            continue
        mult = {n: v[(code,)] for n, v in ratios["multiply"].items()}
        div = {n: v[(code,)] for n, v in ratios["divide"].items()}
        out[code] = {t: convert(projected[t + spec.driver_year_offset], mult, div) + sum(p[code][t] for p in parts)
                     for t in years}
    return out, problems


def _horizon_and_regions(data: dict[str, Any]) -> tuple[list[int] | None, dict[str, str] | None]:
    try:
        years = Horizon.model_validate(data.get("horizon")).years
    except ValidationError:
        years = None
    try:
        raw = data.get("regions")
        regions = ENGLAND_REGIONS if raw is None else [Region.model_validate(r) for r in raw]
        keys = {r.code: r.code for r in regions}
        keys.update({r.name: r.code for r in regions})
    except (ValidationError, TypeError):
        keys = None
    return years, keys


def _same(given: Any, table: dict[str, dict[int, float]], keys: dict[str, str], years: list[int]) -> bool:
    end = reported_to(years)  # a plan_to's extra years follow the forecast, given or held (section 10.4)
    table = {r: {t: v for t, v in row.items() if t <= end} for r, row in table.items()}
    try:
        values, found = resolve(given, ("region", "year"), keys, years)
    except (TypeError, ValueError, AttributeError):
        return False
    if found:
        return False
    return all(abs(values.get((r, t), float("nan")) - v) <= 1e-9 * max(1.0, abs(v))
               for r, row in table.items() for t, v in row.items())
