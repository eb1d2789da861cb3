"""Re-check of the issue-4 rules (cohorts, calendars, tenure, deadlines, targets, shares, equity).

Called by :func:`workforce.plan.verify.verify_plan`. Everything here is recomputed with pandas from the
scenario's parameters and the plan's tables (``intake`` with its ``cohorts`` column and, in
``plan.extra``, ``intake_terms``, ``tenure`` and ``compliance``), not by evaluating the model's
expressions:

* calendars: starters by intake point (they add up to the year's intake, start in the scenario's
  month and qualify ``(start month + duration_months) // 12`` academic years later); course costs
  spread evenly over each course year's months, counted by academic year and, for streams
  budgeted on financial years (April to March), by financial year, where the other costs of a
  financial year are 7/12 of its academic year's and 5/12 of the year before's;
* cohorts: whole numbers, between 0 and the places they can fill, ``min_size`` ≤ intake / cohorts
  ≤ ``max_size``, the region minimum (no trainees, or at least that many), fixed costs per cohort;
* tenure: tied completers by band, their leavers, and the leavers of the role as a whole;
* statutory deadlines: the starting split of unqualified post-holders, each band ageing at the
  role's attrition, the posts taken over by qualified arrivals (implied by the table, ≥ 0 and at
  most the arrivals plus abolished posts), every shortfall post held unqualified, no one past the
  deadline where it is required, and the breach penalty in the shortfall term;
* targets (recomputed counts, reported counts), place shares, and the equity summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.model import horizon
from workforce.model.fte import fte_row

if TYPE_CHECKING:
    from workforce.model.data import ModelData
    from workforce.plan.results import Plan
    from workforce.plan.verify import _Checks, _Sets

FY_START = 7
"""Month of the academic year (September = 0) in which a financial year starts: April."""
OTHER_SHARE = FY_START / 12
"""Share of an academic year's non-course spend that falls in the financial year starting in it."""


def _keyed(values: dict[tuple, float], names: list[str]) -> pd.Series:
    """A dict keyed by tuples as a Series with named levels (also when empty)."""
    index = pd.MultiIndex.from_tuples(list(values), names=names) if values else \
        pd.MultiIndex.from_arrays([[]] * len(names), names=names)
    return pd.Series(list(values.values()), index=index, dtype=float)


def _calendar(d: ModelData, p: str) -> Any:
    return d.scenario.programmes[p].calendar


def term_starters(c: _Checks, plan: Plan, d: ModelData, sets: _Sets) -> pd.DataFrame:
    """Starters by programme, region, start year and intake point, with the years to qualifying
    (``delay``) and the start month (from September). Programmes without a calendar have one
    intake point ``""`` in September and qualify ``duration`` years after starting. Checks the
    ``intake_terms`` table against the intake and the scenario's calendars."""
    intake = plan.intake["intake"].rename("starters").reset_index()
    plain = intake[~intake["programme"].isin(list(d.duration_months))]
    frames = [plain.assign(term="", month=0, delay=plain["programme"].map(d.duration))]
    prior = pd.DataFrame([{"programme": p, "region": r, "year": t, "starters": v}
                          for (p, r, t), v in d.intake_prior.items()], columns=["programme", "region", "year", "starters"])
    calendar_programmes = [p for p in d.scenario.programmes if _calendar(d, p) is not None]
    plain_prior = prior[~prior["programme"].isin(calendar_programmes)]
    frames.append(plain_prior.assign(term="", month=0, delay=plain_prior["programme"].map(d.duration)))
    if calendar_programmes:
        cal_rows = []
        for p in calendar_programmes:
            cal = _calendar(d, p)
            for j, month in cal.intakes.items():
                cal_rows.append({"programme": p, "term": j, "month_scenario": month,
                                 "delay_scenario": (month + cal.duration_months) // 12})
        cal = pd.DataFrame(cal_rows)
        frames.append(_check_intake_points(c, plan, d, sets, cal, calendar_programmes))
        cal_prior = prior[prior["programme"].isin(calendar_programmes)].copy()
        if len(cal_prior):
            cal_prior["term"] = [_calendar(d, p).prior_intake_at or next(iter(_calendar(d, p).intakes))
                                 for p in cal_prior["programme"]]
            cal_prior = cal_prior.merge(cal, on=["programme", "term"])
            frames.append(cal_prior.rename(columns={"month_scenario": "month", "delay_scenario": "delay"}))
    columns = ["programme", "region", "year", "term", "starters", "month", "delay"]
    frames = [f[columns] for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


class _Labels:
    """Row labels for messages: the rows of ``index`` (at ``rows``), then ``extra`` labels."""

    def __init__(self, index: pd.Index, rows: np.ndarray, extra: list[tuple[Any, ...]]):
        self.index, self.rows, self.extra = index, rows, extra

    def __getitem__(self, i: int) -> Any:
        return self.index[self.rows[i]] if i < len(self.rows) else self.extra[i - len(self.rows)]


def _check_intake_points(c: _Checks, plan: Plan, d: ModelData, sets: _Sets, cal: pd.DataFrame,
                         calendar_programmes: list[str]) -> pd.DataFrame:
    """Check the ``intake_terms`` table against the calendars (each row an intake point of its
    programme, each intake point in the table, start months, years of qualifying, starters ≥ 0 and
    adding up to the intake); returns its starters with the scenario's month and delay."""
    terms = plan.extra["intake_terms"]
    idx = terms.index
    programme = sets.codes(idx, "programme")
    level = idx.names.index("intake")
    points, point = idx.levels[level], np.asarray(idx.codes[level])
    # (programme, intake point) → the scenario's month and delay, by the codes of both (last: unknown)
    month = np.full((len(d.PROGRAMMES) + 1, len(points) + 1), -1, dtype=np.int64)
    delay = np.zeros_like(month)
    where = {value: u for u, value in enumerate(points)}
    missing = []
    for row in cal.itertuples(index=False):
        u = where.get(row.term, -1)
        month[d.PROGRAMMES.index(row.programme), u] = row.month_scenario
        delay[d.PROGRAMMES.index(row.programme), u] = row.delay_scenario
        if u < 0:
            missing.append((row.programme, np.nan, np.nan, row.term))
    month[:, -1] = -1  # points outside the table's levels were only noted as missing
    at_month, at_delay = month[programme, point], delay[programme, point]
    both = at_month >= 0
    seen = set(zip(programme[both].tolist(), point[both].tolist(), strict=True))
    missing += [(row.programme, np.nan, np.nan, row.term) for row in cal.itertuples(index=False)
                if where.get(row.term, -1) >= 0 and (d.PROGRAMMES.index(row.programme), where[row.term]) not in seen]
    n = len(idx)
    c.eq_at("calendar", "intake points of", _Labels(idx, np.arange(n), missing),
            np.concatenate([both.astype(float), np.zeros(len(missing))]), 1.0)
    rows = np.flatnonzero(both)
    labels = _Labels(idx, rows, [])
    starters = terms["starters"].to_numpy(dtype=float)[rows]
    year = idx.get_level_values("year").to_numpy()[rows]
    c.eq_at("calendar", "start month of", labels, terms["start_month"].to_numpy(dtype=float)[rows], at_month[rows])
    c.eq_at("calendar", "year of qualifying of", labels, terms["qualifies_in"].to_numpy(dtype=float)[rows],
            year + at_delay[rows])
    c.le_at("non-negative", "minus the starters of", labels, -starters, 0.0)
    # Starters over the intake points against the intake: every key on either side (0 where absent).
    intake = plan.intake["intake"]
    whole = intake[intake.index.get_level_values("programme").isin(calendar_programmes)]
    split_pos = sets.positions(idx, ["programme", "region", "year"])[rows]
    whole_pos = sets.positions(whole.index, ["programme", "region", "year"])
    if (split_pos < 0).any() or (whole_pos < 0).any() or len(np.unique(whole_pos)) < len(whole_pos):
        split = pd.Series(starters, index=idx[rows]).groupby(level=["programme", "region", "year"]).sum()
        c.eq("intake split", "starters over the intake points of", split, whole, missing_is_zero=True)
    else:
        size = sets.size(["programme", "region", "year"])
        have = np.bincount(split_pos, minlength=size) > 0
        have[whole_pos] = True
        whole_grid = np.zeros(size)
        whole_grid[whole_pos] = whole.to_numpy(dtype=float)
        grid = pd.MultiIndex.from_product([d.PROGRAMMES, d.REGIONS, d.YEARS])
        c.eq_at("intake split", "starters over the intake points of", grid,
                sets.total(split_pos, starters, ["programme", "region", "year"]), whole_grid, have)
    return pd.DataFrame({
        "programme": idx.get_level_values("programme")[rows], "region": idx.get_level_values("region")[rows],
        "year": year, "term": points[point[rows]], "starters": starters, "month": at_month[rows],
        "delay": at_delay[rows]})


def completions_by_programme(d: ModelData, starts: pd.DataFrame) -> pd.DataFrame:
    """Completions (completion_rate × starters) by programme, region and year of qualifying, with
    the start year kept (for tenure profiles that count only later intakes)."""
    done = starts.assign(
        start=starts["year"],
        year=starts["year"] + starts["delay"],
        completions=starts["starters"] * starts["programme"].map(d.completion_rate),
    )
    return done[done["year"].between(d.first_year, d.YEARS[-1])]


def tenure_leavers(c: _Checks, plan: Plan, d: ModelData, done: pd.DataFrame, entrants: pd.Series) -> pd.Series:
    """Expected leavers of roles with a tenure profile (index role, region, year); checks the
    ``tenure`` table band by band."""
    f = plan.flows
    table = plan.extra.get("tenure")
    out: list[pd.Series] = []
    band_rows: list[pd.DataFrame] = []
    R, T = d.REGIONS, d.YEARS
    year_at = {t: j for j, t in enumerate(T)}
    for k, role in d.scenario.roles.items():
        profile = role.tenure
        if profile is None:
            continue
        programmes = [p for p, g in d.scenario.programmes.items()
                      if g.role == k and (profile.programmes is None or p in profile.programmes)]
        tied_rows = done[done["programme"].isin(programmes)]
        if profile.from_intake_year is not None:
            tied_rows = tied_rows[tied_rows["start"] >= profile.from_intake_year]
        by_year = tied_rows.groupby(["region", "year"])["completions"].sum()
        tied = by_year.reindex(pd.MultiIndex.from_product([R, T]), fill_value=0.0).to_numpy(dtype=float)
        tied = (tied.reshape(len(R), len(T)) * fte_row(d, k)).ravel()  # section 23: in FTE
        tied = np.hstack([tied.reshape(len(R), len(T)), np.zeros((len(R), 1))])  # column -1: outside the horizon
        rates = list(profile.attrition)
        survival = np.cumprod([1.0, *[1.0 - a for a in rates]])
        krt = pd.MultiIndex.from_product([[k], R, T])
        attrition = np.array([[d.attrition[k, r]] for r in R])
        attrition_new = np.array([[d.attrition_new[k, r]] for r in R])
        # Each region (rows) and year after the first (columns): bands b = 1.. of those tied b years earlier.
        later = T[1:]
        bands = [survival[b - 1] * tied[:, [year_at.get(t - b, -1) for t in later]] for b in range(1, len(rates) + 1)]
        arrived = entrants.reindex(krt).to_numpy(dtype=float).reshape(len(R), len(T))
        untied = arrived[:, :-1] - tied[:, [year_at.get(t - 1, -1) for t in later]]
        stock_start = f["stock_start"].reindex(krt).to_numpy(dtype=float).reshape(len(R), len(T))
        established = stock_start[:, 1:] - untied - sum(bands)
        if later and (d.exits_enabled[k] or k in d.source_of.values()):  # tenure_established (section 13)
            c.le("tenure established stock", "minus the established stock at the start of", pd.Series(
                -established.ravel(), index=pd.MultiIndex.from_product([[k], R, later])), 0.0)
        leavers = attrition * established + attrition_new * untied + sum(x * y for x, y in zip(rates, bands, strict=True))
        first = attrition[:, 0] * np.array([d.stock_initial[k, r] for r in R])
        out.append(pd.Series(np.hstack([first[:, None], leavers]).ravel(), index=krt))
        if rates and later:  # (no band rows in a one-year horizon)
            stock = np.stack(bands, axis=-1)  # region × later year × band
            band_rows.append(pd.DataFrame(
                {"stock_start": stock.ravel(), "attrition": np.broadcast_to(rates, stock.shape).ravel(),
                 "leavers": (np.asarray(rates) * stock).ravel()},
                index=pd.MultiIndex.from_product([[k], R, later, range(1, len(rates) + 1)])))
    if band_rows:
        expected = pd.concat(band_rows).rename_axis(["role", "region", "year", "band"])
        if table is None:
            c.eq("tenure", "tenure table present", pd.Series([0.0]), 1.0)
        else:
            for col in expected:
                c.eq("tenure", f"tied {col} of", table[col], expected[col], missing_is_zero=True)
    return pd.concat(out).rename_axis(["role", "region", "year"]) if out else _keyed({}, ["role", "region", "year"])


def check_deadlines(c: _Checks, plan: Plan, d: ModelData, entrants: pd.Series) -> float:
    """Re-check the ``compliance`` table; return the breach penalty (part of the shortfall term)."""
    rules = {k: role.statutory_deadline for k, role in d.scenario.roles.items() if role.statutory_deadline is not None}
    if not rules:
        return 0.0
    table = plan.extra.get("compliance")
    if table is None:
        c.eq("statutory deadline", "compliance table present", pd.Series([0.0]), 1.0)
        return 0.0
    from workforce.model.discount import year_factors

    w = plan.workforce
    penalty = 0.0
    for k, rule in rules.items():
        A = rule.within_years
        part = table.xs(k, level="role")
        c.eq("statutory deadline", f"deadline years of {k} in", part["deadline_years"], float(A))
        bands = pd.concat([part[f"unqualified_{a}"] for a in range(A)] + [part["out_of_compliance"]], axis=1)
        bands.columns = list(range(A + 1))
        for a in bands:
            c.le("non-negative", f"minus the unqualified holders (band {a}) of {k} in", -bands[a], 0.0)
        c.le("unqualified holders", f"shortfall posts of {k} not held unqualified in",
             w["shortfall"].xs(k, level="role"), bands.sum(axis=1))
        if rule.mode == "require":
            c.le("statutory deadline", f"posts of {k} out of compliance in", bands[A], 0.0)
        else:
            disc = year_factors(d, bands.index.get_level_values("year"))  # section 8.7
            penalty += rule.penalty * float((bands[A].to_numpy(dtype=float) * disc).sum())
        # Each region's bands by year (regions × years × bands), to age them a year at a time.
        grid = pd.MultiIndex.from_product([d.REGIONS, d.YEARS], names=["region", "year"])
        held = bands.reindex(grid).to_numpy(dtype=float).reshape(len(d.REGIONS), len(d.YEARS), A + 1)
        arrived = entrants.reindex(pd.MultiIndex.from_product([[k], d.REGIONS, d.YEARS])).to_numpy(dtype=float)
        _check_takeovers(c, d, k, rule, held, arrived.reshape(len(d.REGIONS), len(d.YEARS)), grid)
    return penalty


def _check_takeovers(c: _Checks, d: ModelData, k: str, rule: Any, held: np.ndarray, arrived: np.ndarray,
                     grid: pd.MultiIndex) -> None:
    """Posts qualified arrivals take over from each band (implied by the ``compliance`` table): never
    negative, and no more than the arrivals plus the posts abolished. ``held`` is regions × years ×
    bands, ``arrived`` regions × years, ``grid`` the (region, year) rows of both, all regions at once
    (a loop of checks per region cost about 0.2 s at 153 authorities)."""
    A = rule.within_years
    R, T = d.REGIONS, d.YEARS
    gap = np.array([max(0.0, d.demand[k, r, d.first_year] - d.stock_initial[k, r]) for r in R])
    start = np.zeros((len(R), A + 1))
    for age, share in enumerate(rule.initial_shares):
        start[:, min(age, A)] += gap * share
    stay = np.array([1.0 - d.attrition[k, r] for r in R])[:, None, None]
    before = np.concatenate([start[:, None, :], held[:, :-1, :]], axis=1)  # each year's bands a year earlier
    inflow = stay * np.concatenate([np.zeros((len(R), len(T), 1)), before[:, :, :-1]], axis=2)  # band a − 1 ages into a
    inflow[:, :, -1] += stay[:, :, 0] * before[:, :, -1]  # band A keeps those already past the deadline
    # qualified_in[a] = stay × inflow[a] − unqualified[a] for a ≥ 1: implied by the table.
    implied = inflow[:, :, 1:] - held[:, :, 1:]
    for a in range(1, A + 1):
        c.le_at("unqualified holders", f"minus the posts taken over from band {a} of {k}", grid,
                -implied[:, :, a - 1].ravel(), 0.0)
    abolished = np.array([[0.0 if t == d.first_year else max(0.0, d.demand[k, r, t - 1] - d.demand[k, r, t])
                           for t in T] for r in R])
    c.le_at("unqualified holders", f"posts taken over by qualified arrivals of {k} in", grid,
            implied.sum(axis=2).ravel(), (arrived + abolished).ravel())


def check_cohorts(c: _Checks, plan: Plan, d: ModelData) -> pd.DataFrame:
    """Whole cohorts within their sizes; returns the fixed cohort costs by stream, academic year and item."""
    rows = []
    intake = plan.intake
    for p, prog in d.scenario.programmes.items():
        rule = prog.cohorts
        if rule is None:
            continue
        if "cohorts" not in intake.columns:
            c.eq("cohorts", "cohorts column present", pd.Series([0.0]), 1.0)
            return pd.DataFrame(columns=["stream", "year", "item", "spent"])
        part = intake.xs(p, level="programme")
        n, x = part["cohorts"].astype(float), part["intake"]
        c.eq("whole cohorts", f"cohorts of {p} in", n, np.round(n))
        c.le("non-negative", f"minus the cohorts of {p} in", -n, 0.0)
        c.le("cohort size", f"intake of {p} (at most max_size per cohort) in", x, rule.max_size * n)
        c.le("cohort size", f"minus the intake of {p} (at least min_size per cohort) in", -x, -rule.min_size * n)
        # the tightest of places, maximum intake and national places (over course year 1's weight
        # where a capacity counts course years: policy_data.first_year_cap), as the model bounds cohorts
        upper = pd.Series({(r, t): d.intake_upper[p, r, t] for r, t in part.index})
        c.le("cohort size", f"cohorts of {p} (no more than the places fill) in", n,
             np.ceil(upper.reindex(n.index) / rule.max_size - 1e-9))
        if rule.region_minimum:
            below = x.where(x < rule.region_minimum, 0.0)  # a region runs no cohort, or one of at least N
            c.le("cohort region minimum", f"trainees of {p} below the region minimum {rule.region_minimum:g} in",
                 below, 0.0)
        per_year = n.groupby(level="year").sum()
        for f, cost in rule.fixed_cost.items():
            rows += [{"stream": f, "year": t, "item": f"cohorts:{p}", "spent": cost * v} for t, v in per_year.items()]
    return pd.DataFrame(rows, columns=["stream", "year", "item", "spent"])


def course_costs(d: ModelData, starts: pd.DataFrame) -> pd.DataFrame:
    """Course costs by stream, programme, academic year and financial year of the month they are
    spent in. A calendar course year is 12 months from the start (the last may be shorter), its
    cost spread evenly over its months; a course year without a calendar is an academic year,
    spread over its 12 months. Only months in the horizon's academic years count."""
    profile = []
    for (p, y, f), cost in d.cost_course.items():
        cal = _calendar(d, p)
        if cal is None:
            profile += [(p, f, 12 * (y - 1) + k, cost / 12) for k in range(12)]
            continue
        length = min(12, cal.duration_months - 12 * (y - 1))
        profile += [(p, f, 12 * (y - 1) + k, cost / length) for k in range(length)]
    months = pd.DataFrame(profile, columns=["programme", "stream", "offset", "per_starter"])
    # Regions and intake points starting in the same month cost the same per starter: add them up first.
    cohorts = starts.groupby(["programme", "year", "month"], as_index=False, sort=False)["starters"].sum()
    spent = cohorts.merge(months, on="programme")
    at = spent["month"] + spent["offset"]  # months from September of the start year
    spent = spent.assign(
        ay=spent["year"] + at // 12,
        fy=spent["year"] + at // 12 + (at % 12 >= FY_START).astype(int),
        spent=spent["starters"] * spent["per_starter"],
    )
    spent = spent[spent["ay"].between(d.first_year, d.YEARS[-1])]
    return spent.rename(columns={"programme": "item"})[["stream", "item", "ay", "fy", "spent"]]


def financial_years(d: ModelData, academic: pd.DataFrame) -> pd.DataFrame:
    """Non-course items of a financial-year stream: 7/12 of academic year t plus 5/12 of t − 1."""
    if not len(academic):
        return academic
    this = academic.assign(spent=academic["spent"] * OTHER_SHARE)
    last = academic.assign(year=academic["year"] + 1, spent=academic["spent"] * (1 - OTHER_SHARE))
    both = pd.concat([this, last[last["year"] <= d.YEARS[-1]]], ignore_index=True)
    return both.groupby(["stream", "year", "item"], as_index=False)["spent"].sum()


def academic_from_financial(d: ModelData, reported: pd.Series) -> pd.Series:
    """Invert :func:`financial_years` for items reported only by financial year (flexible supply):
    A[first] = F[first] / (7/12), A[t] = (F[t] − 5/12 × A[t−1]) / (7/12)."""
    out = {}
    for (f, item), series in reported.groupby(level=["stream", "item"]):
        previous = 0.0
        by_year = series.droplevel(["stream", "item"])
        for t in d.YEARS:
            previous = (float(by_year.get(t, 0.0)) - (1 - OTHER_SHARE) * previous) / OTHER_SHARE
            out[f, t, item] = previous
    return _keyed(out, ["stream", "year", "item"])


def check_targets(c: _Checks, plan: Plan, d: ModelData, done: pd.DataFrame) -> None:
    """Each target row: the recomputed count reaches ``at_least`` and equals the reported count."""
    if not d.target_min:
        return
    reported = {(row["target"], row["scope"], row["to_year"]): row for row in plan.summary.get("targets", [])}
    intake = plan.intake["intake"]
    by_completion = done.groupby(["programme", "region", "year"])["completions"].sum()
    for (g, q, t), need in d.target_min.items():
        p, regions, years = d.target_programme[g], d.target_regions[g, q], d.target_years[g, t]
        source = intake if d.target_measure[g] == "intake" else by_completion
        keys = [(p, r, s) for r in regions for s in years]
        count = float(sum(source.get(key, 0.0) for key in keys))
        label = f"{g} {q} {years[0]}-{years[-1]}"
        c.le("target", "minus the count of", pd.Series([-count], index=[label]), -need)
        row = reported.get((g, q, years[-1]))
        achieved = float(row["achieved"]) if row is not None else np.nan
        c.eq("target", "reported count of", pd.Series([achieved], index=[label]), count)


def check_shares(c: _Checks, plan: Plan, d: ModelData) -> None:
    intake = plan.intake["intake"]
    for bound, sense in ((d.share_min, "min"), (d.share_max, "max")):
        for (g, t), share in bound.items():
            part = intake.xs((d.share_programme[g], t), level=["programme", "year"])
            group = float(part[part.index.isin(d.share_regions[g])].sum())
            limit = share * float(part.sum())
            label = pd.Index([f"{g} {t}"])
            if sense == "min":
                c.le("place share", "minus the group's intake of", pd.Series([-group], index=label), -limit)
            else:
                c.le("place share", "group's intake of", pd.Series([group], index=label), limit)


def check_equity(c: _Checks, plan: Plan, d: ModelData) -> list[str]:
    """The equity summary against the plan's shortfall rates; returns what is not re-checked."""
    eq = plan.summary.get("equity")
    if d.equity_basis is None or eq is None:
        return []
    w = plan.workforce
    part = w[w.index.get_level_values("role").isin(d.equity_roles)]
    if d.equity_basis == "year":
        shortfall, demand = part["shortfall"], part["demand"]
    else:
        shortfall = part["shortfall"].groupby(level=["role", "region"]).sum()
        demand = part["demand"].groupby(level=["role", "region"]).sum()
    rates = (shortfall / demand)[demand > 0]
    worst = float(rates.max()) if len(rates) else 0.0
    fair = eq["equitable"]
    c.eq("equity", "worst shortfall rate", pd.Series([fair["worst_shortfall_rate"]]), worst)
    c.eq("equity", "total shortfall", pd.Series([fair["total_shortfall"]]), float(w["shortfall"].sum()))
    cost = sum(v for t, v in plan.summary["terms"].items() if t != "shortfall" and not t.endswith("_count"))
    c.eq("equity", "cost", pd.Series([fair["cost"]]), cost)
    eff = eq["efficient"]
    tolerance = d.scenario.objective.equity.tolerance if d.scenario.objective.equity else 0.0
    c.le("equity", "worst shortfall rate (no worse than the efficient plan's)", pd.Series([worst]),
         eff["worst_shortfall_rate"] + tolerance)
    c.eq("equity", "price of fairness", pd.Series([eq["price_shortfall"], eq["price_cost"]]),
         pd.Series([fair["total_shortfall"] - eff["total_shortfall"], fair["cost"] - eff["cost"]]))
    return ["equity: that worst_shortfall_rate is the least possible, and the efficient reference plan's own "
            "figures (its tables are not kept); the equitable plan's rates are re-checked"]


def check_post_horizon(c: _Checks, plan: Plan, d: ModelData, starts: pd.DataFrame) -> float:
    """post_demand_balance (section 10.1) on the ``post_horizon`` table: its supply recomputed from
    the end-of-horizon stock and the starters who qualify after the last year (with their own years
    to qualifying and survival), its shortfall at least the last year's demand less that supply and
    never negative. Returns the shortfall's weighted penalty, part of the ``shortfall`` term."""
    if not horizon.enabled(d):
        return 0.0
    table = plan.extra["post_horizon"]
    last, spec = d.YEARS[-1], d.scenario.horizon.terminal_value
    late = starts[starts["year"].between(d.first_year, last) & (starts["year"] + starts["delay"] > last)]
    supply, demand, weight = {}, {}, {}
    # One pass over the late starters per region, not one filter of the whole table per row: at 153
    # areas the per-row filter took about 3 s of the re-check.
    by_region: dict[str, list[tuple]] = {}
    for r, *row in zip(*(late[c].tolist() for c in ("region", "programme", "year", "starters", "delay")), strict=True):
        by_region.setdefault(r, []).append(tuple(row))
    flows = plan.flows["stock_end"]
    end_stock = dict(zip(flows.index, flows.to_numpy(dtype=float), strict=True))  # .at per row cost 1 s at 153 areas
    for k, r, v in table.index:
        stock = (1.0 - d.attrition[k, r]) ** (v - last) * end_stock[k, r, last]
        for p, s, n, delay in by_region.get(r, ()):
            if d.role_of[p] == k and s + delay <= v:
                tied = horizon.is_tied(d, k, p, int(s))
                stock += d.completion_rate[p] * horizon.survival(d, k, r, int(v - s - delay), tied) * n
        supply[k, r, v], demand[k, r, v] = stock, d.demand[k, r, last]
        weight[k, r, v] = spec.weight * d.penalty_shortfall[k] / (1.0 + spec.discount_rate) ** (v - last)
    names = ["role", "region", "year"]
    reach = {k: last + max((int(x) for x in starts.loc[starts["programme"].map(d.role_of) == k, "delay"]), default=0)
             for k in d.ROLES}
    expected_keys = [(k, r, v) for k in d.ROLES for r in d.REGIONS for v in range(last + 1, last + spec.years + 1)
                     if v <= reach[k]]
    c.eq("post-horizon demand balance", "rows of", pd.Series([len(table)], index=["post_horizon"]),
         pd.Series([len(expected_keys)], index=["post_horizon"]))
    c.eq("post-horizon demand balance", "projected supply of", table["supply"], _keyed(supply, names))
    c.le("post-horizon demand balance", "last year's demand against projected supply plus shortfall of",
         _keyed(demand, names), _keyed(supply, names) + table["shortfall"])
    c.le("non-negative", "minus the post-horizon shortfall of", -table["shortfall"], 0.0)
    return float((table["shortfall"] * _keyed(weight, names)).sum())


def people_counts(plan: Any, d: ModelData) -> dict[str, float]:
    """The objective's people counts (section 21.2) from the plan's tables: exits and hires from
    the flows, starters from the intake; flexible units where each role has one option (units =
    flexible FTE / fte_per_unit), otherwise left out (and the objective is then not re-checked)."""
    from workforce.plan.fte_check import heads_flows  # section 23: exits and hires count people

    flows = heads_flows(plan, d)
    out = {"exit_count": float(flows["exits"].sum()), "hire_count": float(flows["hires"].sum()),
           "starter_count": float(plan.intake["intake"].sum())}
    flexible = plan.workforce["flexible"].groupby(level="role").sum()
    units = 0.0
    for k in d.ROLES:
        options = [key for key in d.FLEX if key[0] == k]
        if len(options) > 1:
            return {t: v if d.weights[t] != 0 else 0.0 for t, v in out.items()}
        if options:
            units += float(flexible.get(k, 0.0)) / d.fte_per_unit[options[0]]
    out["flexible_count"] = units
    return {t: v if d.weights[t] != 0 else 0.0 for t, v in out.items()}  # built only when named
