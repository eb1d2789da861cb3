"""Regional demand forecasts: project a driver series forward and turn it into workforce demand.

A *driver* is an observed series per region and year (for example EHC plans in January,
2019-2026). :func:`project` continues one series with one of four methods, each anchored on the
last observed value of the fit window:

``compound``
    growth ``g`` fitted by least squares on log levels over the window; ``x[T+h] = x[T] (1+g)^h``.
    A series that grows at a constant rate is recovered exactly.
``linear``
    slope ``b`` fitted by least squares on levels over the window; ``x[T+h] = x[T] + b h``.
``damped``
    growth starts at the fitted compound rate ``g`` and decays towards ``long_run_growth``:
    ``g_h = long_run_growth + (g - long_run_growth) damping^h`` and ``x[T+h] = x[T+h-1] (1 + g_h)``.
    ``damping = 1`` is ``compound``; ``damping = 0`` grows at ``long_run_growth`` from the first year.
``flat``
    the last observed value, held.

:func:`convert` multiplies a projected driver by the ratios a scenario declares (``multiply``) and
divides by others (``divide``), e.g. EP FTE = new EHC plans x 17.4 h / 1,400 h / statutory share.
:func:`backtest` fits each method on one window and scores it on the following years (MAPE).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("compound", "linear", "damped", "flat")
"""Projection methods, in the order tables list them."""


class ForecastError(ValueError):
    """A driver series cannot be projected as asked (too few points, a zero level, a gap)."""


def fit_compound_growth(values: Mapping[int, float]) -> float:
    """Annual growth rate fitted by least squares on log levels (exact for constant growth)."""
    years, levels = _points(values, need=2)
    if min(levels) <= 0:
        raise ForecastError("compound growth needs positive values in the fit window")
    slope = np.polyfit(years, np.log(levels), 1)[0]
    return float(math.expm1(slope))


def fit_linear_slope(values: Mapping[int, float]) -> float:
    """Change per year fitted by least squares on levels (exact for a straight line)."""
    years, levels = _points(values, need=2)
    return float(np.polyfit(years, levels, 1)[0])


def project(
    values: Mapping[int, float],
    years: Iterable[int],
    method: str,
    *,
    fit_from: int | None = None,
    fit_to: int | None = None,
    damping: float = 0.8,
    long_run_growth: float = 0.0,
) -> dict[int, float]:
    """Values of the series for ``years``: observed up to ``fit_to``, projected after it.

    The fit window is ``fit_from``-``fit_to`` (default: every observed year); every year inside it
    must be observed. Years after ``fit_to`` are projected from the value observed in ``fit_to``.
    """
    if method not in METHODS:
        raise ForecastError(f"unknown method {method!r}; methods: {', '.join(METHODS)}")
    observed = {int(y): float(v) for y, v in values.items()}
    if not observed:
        raise ForecastError("the driver series is empty")
    lo = min(observed) if fit_from is None else fit_from
    hi = max(observed) if fit_to is None else fit_to
    if hi < lo:
        raise ForecastError(f"the fit window {lo}-{hi} is empty")
    missing = [y for y in range(lo, hi + 1) if y not in observed]
    if missing:
        raise ForecastError(f"no observed value for {', '.join(map(str, missing))} inside the fit window {lo}-{hi}")
    window = {y: observed[y] for y in range(lo, hi + 1)}
    last = window[hi]
    step = _stepper(window, method, damping, long_run_growth)
    out: dict[int, float] = {}
    wanted = sorted(set(years))
    level, h = last, 0
    for y in wanted:
        if y <= hi:
            if y not in observed:
                raise ForecastError(f"{y} is before the fit window ends ({hi}) and has no observed value")
            out[y] = observed[y]
            continue
        while hi + h < y:
            h += 1
            level = step(level, h)
        out[y] = level
    return out


def _stepper(window: Mapping[int, float], method: str, damping: float, long_run_growth: float) -> Any:
    if method == "flat":
        return lambda level, h: level
    if method == "linear":
        slope = fit_linear_slope(window)
        return lambda level, h: level + slope
    growth = fit_compound_growth(window)
    if method == "compound":
        return lambda level, h: level * (1 + growth)
    return lambda level, h: level * (1 + long_run_growth + (growth - long_run_growth) * damping**h)


def _points(values: Mapping[int, float], need: int) -> tuple[np.ndarray, np.ndarray]:
    if len(values) < need:
        raise ForecastError(f"a trend needs at least {need} observed years in the fit window, got {len(values)}")
    years = sorted(values)
    return np.array(years, dtype=float), np.array([values[y] for y in years], dtype=float)


def convert(
    driver: float,
    multiply: Mapping[str, float] | None = None,
    divide: Mapping[str, float] | None = None,
) -> float:
    """Demand from a driver value: ``driver x prod(multiply) / prod(divide)``."""
    out = float(driver)
    for value in (multiply or {}).values():
        out *= value
    for name, value in (divide or {}).items():
        if value == 0:
            raise ForecastError(f"cannot divide by {name} = 0")
        out /= value
    return out


def mape(actual: Iterable[float], forecast: Iterable[float]) -> float:
    """Mean absolute percentage error, in percent."""
    pairs = list(zip(actual, forecast, strict=True))
    if not pairs or any(a == 0 for a, _ in pairs):
        raise ForecastError("MAPE needs at least one point and no zero actual value")
    return 100.0 * sum(abs(f - a) / abs(a) for a, f in pairs) / len(pairs)


def backtest(
    series: pd.DataFrame,
    fit: tuple[int, int] = (2019, 2023),
    test: tuple[int, int] = (2024, 2026),
    methods: Mapping[str, Mapping[str, float]] | None = None,
    total_label: str = "England (sum of regions)",
) -> pd.DataFrame:
    """MAPE (%) of each method per region, fitting on ``fit`` and scoring on ``test`` (inclusive).

    ``series`` has one row per region and one column per year. ``methods`` maps a method name to
    its parameters (``damping``, ``long_run_growth``); by default every trend method with its
    default parameters. A last row scores the sum of the regional forecasts against the sum of
    the regions, and a final row is the mean of the regional MAPEs.
    """
    methods = dict(methods) if methods is not None else {m: {} for m in ("compound", "linear", "damped")}
    test_years = list(range(test[0], test[1] + 1))
    needed = list(range(fit[0], fit[1] + 1)) + test_years
    absent = [y for y in needed if y not in series.columns]
    if absent:
        raise ForecastError(f"the series has no column for {', '.join(map(str, absent))}")
    rows: dict[str, dict[str, float]] = {}
    totals: dict[str, dict[int, float]] = {m: dict.fromkeys(test_years, 0.0) for m in methods}
    for region, row in series.iterrows():
        obs = {int(y): float(row[y]) for y in needed}
        rows[str(region)] = {}
        for method, params in methods.items():
            fc = project(obs, test_years, method, fit_from=fit[0], fit_to=fit[1], **params)
            rows[str(region)][method] = mape([obs[y] for y in test_years], [fc[y] for y in test_years])
            for y in test_years:
                totals[method][y] += fc[y]
    table = pd.DataFrame.from_dict(rows, orient="index")
    actual_total = [float(series[y].sum()) for y in test_years]
    table.loc[total_label] = {m: mape(actual_total, [totals[m][y] for y in test_years]) for m in methods}
    table.loc["mean of regions"] = table.iloc[:-1].mean()
    table.index.name = "region"
    table.attrs["units"] = "MAPE, percent"
    table.attrs["fit"] = fit
    table.attrs["test"] = test
    return table


def driver_frame(scenario: Any, role: str) -> pd.DataFrame:
    """The observed driver of ``role``'s demand forecast: one row per region (by name), one column per year."""
    spec = _spec(scenario, role)
    names = {r.code: r.name for r in scenario.regions}
    keys = scenario.region_keys()
    rows = {names[keys[k]]: dict(v) for k, v in spec.driver.items()} if isinstance(spec.driver, Mapping) else {}
    frame = pd.DataFrame.from_dict(rows, orient="index").sort_index(axis=1)
    frame = frame.loc[[r.name for r in scenario.regions if r.name in frame.index]]
    frame.index.name = "region"
    return frame


def role_backtest(scenario: Any, role: str, fit: tuple[int, int], test: tuple[int, int]) -> pd.DataFrame:
    """:func:`backtest` of ``role``'s driver: a naive flat forecast and the three trend methods,
    the damped trend with the scenario's own damping and long-run growth."""
    spec = _spec(scenario, role)
    methods = {
        "flat": {},
        "compound": {},
        "linear": {},
        "damped": {"damping": spec.damping, "long_run_growth": spec.long_run_growth},
    }
    return backtest(driver_frame(scenario, role), fit, test, methods)


def forecast_roles(scenario: Any) -> list[str]:
    """Roles whose demand the scenario forecasts."""
    return [k for k, r in scenario.roles.items() if r.demand_forecast is not None]


def _spec(scenario: Any, role: str) -> Any:
    if role not in scenario.roles or scenario.roles[role].demand_forecast is None:
        have = ", ".join(forecast_roles(scenario)) or "none"
        raise ForecastError(f"role {role!r} has no demand_forecast in this scenario (roles with one: {have})")
    return scenario.roles[role].demand_forecast


def markdown(table: pd.DataFrame, digits: int = 1) -> str:
    """A plain Markdown table (numbers right-aligned, thousands separated, NaN left blank)."""
    cols = [str(c) for c in table.columns]
    lines = [f"| {table.index.name or ''} | " + " | ".join(cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for idx, row in table.iterrows():
        lines.append(f"| {idx} | " + " | ".join("" if v != v else f"{v:,.{digits}f}" for v in row) + " |")
    return "\n".join(lines)
