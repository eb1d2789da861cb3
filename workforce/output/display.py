"""How scenarios and plans show themselves: a plain ``repr`` for the terminal and compact HTML for notebooks.

Both say the same things: for a plan its status, the objective and each term, a shortfall table
(each role, first and last year, all regions, with the region worst hit) and warnings; for a
scenario its horizon, regions, roles, programmes, funding and objective; for a comparison the
inputs that differ, the key results of each plan side by side (summed over regions) and warnings.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.plan.horizon_cut import horizon_lines

if TYPE_CHECKING:
    from workforce.plan.results import Plan
    from workforce.scenario.schema import Scenario
    from workforce.studies.compare import Comparison

TABLES_LINE = "plan.intake, plan.workforce, plan.flows, plan.spend, plan.spend_detail, plan.summary"
_STYLE = "font-size:0.9em;margin:0.2em 0 0.6em 0"


# -- plans ---------------------------------------------------------------------------------------------


def shortfall_table(plan: Plan) -> pd.DataFrame:
    """Shortfall by role in the first and last year, summed over regions, with the region worst hit.

    Columns: unit, supply, flexible, demand, shortfall, shortfall_rate (fraction of demand),
    worst_region (most shortfall that year, by name; empty when there is none).
    """
    d = plan.data
    wf = plan.workforce
    years = [d.YEARS[0]] if len(d.YEARS) == 1 else [d.YEARS[0], d.YEARS[-1]]
    rows = []
    for k in d.ROLES:
        role = wf.xs(k, level="role")
        for t in years:
            yr = role.xs(t, level="year")
            demand = float(yr["demand"].sum())
            shortfall = float(yr["shortfall"].sum())
            worst = yr["shortfall"].idxmax() if _significant(shortfall, demand) else None
            rows.append({
                "role": k,
                "year": t,
                "unit": d.scenario.roles[k].unit,
                "supply": float(yr["supply"].sum()),
                "flexible": float(yr["flexible"].sum()),
                "demand": demand,
                "shortfall": shortfall,
                "shortfall_rate": shortfall / demand if demand > 0 else 0.0,
                "worst_region": d.region_names.get(worst, worst) if worst is not None else "",
            })
    return pd.DataFrame(rows).set_index(["role", "year"])


def _significant(shortfall: float, demand: float) -> bool:
    """Shortfall above 0.1% of demand: below that it is solver tolerance (lexicographic slack), not a gap."""
    return shortfall > 1e-3 * max(1.0, demand)


def plan_warnings(plan: Plan) -> list[str]:
    """What a reader of the plan must not miss: a provisional status, demand still unmet at the end."""
    s = plan.summary
    d = plan.data
    out = []
    if s["status"] != "optimal":
        text = "PROVISIONAL: a solver limit stopped HiGHS; the plan is feasible but may not be the best"
        if s.get("gap") is not None:
            text += f" (within {100 * s['gap']:.1f}% of optimal)"
        stages = s.get("lexicographic_stages") or []
        planned = d.scenario.objective.lexicographic
        if planned and len(stages) < len(planned):
            text += f"; only {len(stages)} of {len(planned)} lexicographic stages ran"
        out.append(text + ".")
    from workforce.output.report import rescue_note

    rescue = rescue_note(s)
    if rescue:
        out.append(rescue[0].upper() + rescue[1:] + ".")
    last = d.YEARS[-1]
    table = shortfall_table(plan)
    for k in d.ROLES:
        row = table.loc[(k, last)]
        if _significant(row["shortfall"], row["demand"]):
            out.append(
                f"{d.scenario.roles[k].name}: {row['shortfall']:,.0f} {row['unit']} of demand "
                f"({100 * row['shortfall_rate']:.0f}%) still unmet in {last}, the last year."
            )
    return out


def _terms(plan: Plan) -> list[tuple[str, float, float]]:
    s = plan.summary
    weights = s.get("weights", {})
    return [(t, v, float(weights.get(t, 1.0))) for t, v in s["terms"].items() if abs(v) > 1e-9]


def _header(plan: Plan) -> str:
    d = plan.data
    s = plan.summary
    seconds = s.get("timings_seconds", {}).get("total")
    took = f", solved in {seconds:.2f} s" if seconds is not None else ""
    return (
        f"{_count(len(d.REGIONS), 'region')}, {d.YEARS[0]}-{d.YEARS[-1]}, {_count(len(d.ROLES), 'role')}, "
        f"{_count(len(d.PROGRAMMES), 'programme')}{took}"
    )


def plan_text(plan: Plan) -> str:
    """The plain ``repr`` of a plan."""
    s = plan.summary
    lines = [f"Plan {plan.scenario_name!r}: {s['status']}, objective {s['objective']:,.1f}", f"  {_header(plan)}"]
    terms = _terms(plan)
    lines += horizon_lines(s)  # section 10.4: horizon.plan_to
    lines.append("  terms: " + (", ".join(
        f"{t} {v:,.1f}" + (f" (weight {w:g})" if w != 1 else "") for t, v, w in terms) or "all zero"))
    table = shortfall_table(plan)
    lines.append("  shortfall (all regions)      year   supply     flex   demand shortfall  worst region")
    for (k, t), row in table.iterrows():
        lines.append(
            f"    {k[:26]:<26} {t:>6} {row['supply']:>8,.0f} {row['flexible']:>8,.0f} {row['demand']:>8,.0f} "
            f"{row['shortfall']:>9,.0f}  {row['worst_region']}"
        )
    for w in plan_warnings(plan):
        lines.append(f"  warning: {w}")
    lines.append(f"  tables: {TABLES_LINE}")
    return "\n".join(lines)


def plan_html(plan: Plan) -> str:
    """Compact HTML for notebooks (``Plan._repr_html_``)."""
    s = plan.summary
    ok = s["status"] == "optimal"
    colour = "#1a7f37" if ok else "#b35900"
    badge = (f'<span style="background:{colour};color:white;padding:0 0.4em;border-radius:3px">'
             f"{html.escape(s['status'])}</span>")
    parts = [
        '<div class="workforce-plan">',
        f"<p style=\"{_STYLE}\"><b>Plan</b> {html.escape(plan.scenario_name)} {badge} "
        f"objective <b>{s['objective']:,.1f}</b><br>{html.escape(_header(plan))}</p>",
    ]
    warnings = plan_warnings(plan)
    if warnings:
        parts.append(f'<ul style="{_STYLE};color:{colour if not ok else "#8a4b00"}">'
                     + "".join(f"<li>{html.escape(w)}</li>" for w in warnings) + "</ul>")
    terms = pd.DataFrame(_terms(plan), columns=["term", "value", "weight"]).set_index("term")
    table = shortfall_table(plan)
    table["shortfall_rate"] = (100 * table["shortfall_rate"]).round(1)
    table = table.rename(columns={"shortfall_rate": "shortfall %", "worst_region": "worst region"})
    parts.append('<div style="display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap">')
    parts.append("<div><b>Objective terms</b>" + _html_table(terms, lambda v: f"{v:,.1f}") + "</div>")
    parts.append("<div><b>Shortfall, all regions</b>" + _html_table(table, lambda v: f"{v:,.0f}") + "</div>")
    parts.append("</div>")
    parts.append(f'<p style="{_STYLE}">Tables: <code>{html.escape(TABLES_LINE)}</code></p></div>')
    return "".join(parts)


# -- comparisons ---------------------------------------------------------------------------------------

COMPARISON_LINE = "c.inputs, c.results, c.differences(), c.chart(), c.to_csv(folder)"
_COMPARISON_ROWS = {
    "shortfall": "shortfall over the horizon",
    "shortfall_last_year": "shortfall in the last year",
    "spend": "spend (£k)",
    "intake": "intake (trainees)",
    "objective": "objective",
}


def comparison_table(c: Comparison) -> pd.DataFrame:
    """The key results summed over regions: index [measure, item], one column per plan, in the
    order shortfall, shortfall in the last year, spend, intake, objective; objective terms that are
    zero in every plan are left out."""
    table = c.results.groupby(level=["measure", "item"], sort=False).sum(min_count=1)  # absent stays NaN
    keep = [(m, i) for m, i in table.index
            if not (m == "objective" and i != "objective" and (table.loc[(m, i)].abs() < 1e-9).all())]
    table = table.loc[keep]
    order = {m: n for n, m in enumerate(_COMPARISON_ROWS)}
    return table.iloc[sorted(range(len(table)), key=lambda n: order.get(table.index[n][0], len(order)))]


def comparison_warnings(c: Comparison) -> list[str]:
    """Plans that are not proven optimal, and scenarios with the same inputs."""
    out = [f"{name}: {status}, not proven optimal (a solver limit stopped HiGHS); its figures may move"
           for name, status in c.status.items() if status != "optimal"]
    if c.inputs.empty:
        out.append("the scenarios have the same inputs: any difference in results is the solver's choice among equal plans")
    return out + list(getattr(c, "notes", []))


def _input_keys(c: Comparison, n: int = 4) -> str:
    keys = list(c.inputs.index)
    shown = ", ".join(keys[:n]) + (f", ... ({len(keys) - n} more)" if len(keys) > n else "")
    return f"{_count(len(keys), 'input')} differ" + (f": {shown}" if keys else "")


def comparison_repr(c: Comparison) -> str:
    """The plain ``repr`` of a comparison."""
    lines = [f"Comparison of {_count(len(c.names), 'plan')}: {', '.join(c.names)}", f"  {_input_keys(c)}"]
    table = comparison_table(c)
    width = min(18, max(9, *(len(n) for n in c.names)))  # long names are cut here, whole on the first line
    from workforce.studies.compare import named_items

    items = [n[1] for n in named_items(pd.MultiIndex.from_tuples([(m, i, "") for m, i in table.index]), c.labels)]
    item_width = max(14, *(len(str(i)) for i in items))  # the scenario's names, whole
    lines.append("  key results, all regions".ljust(31 + item_width) + "".join(f" {n[:width]:>{width}}" for n in c.names))
    for ((measure, _), row), item in zip(table.iterrows(), items, strict=True):
        label = f"    {_COMPARISON_ROWS.get(measure, measure)[:26]:<26} {str(item):<{item_width}}"
        blank = "not in objective" if measure == "objective" else "absent"  # a term of weight 0 there
        lines.append(label + "".join(f" {blank if pd.isna(v) else format(v, ',.0f'):>{width}}" for v in row))
    for w in comparison_warnings(c):
        lines.append(f"  warning: {w}")
    lines.append(f"  tables: {COMPARISON_LINE}")
    return "\n".join(lines)


def comparison_html(c: Comparison) -> str:
    """Compact HTML for notebooks (``Comparison._repr_html_``): the differing inputs (the first 12)
    and the key results with each plan's change from the first."""
    first = c.names[0]
    parts = [
        '<div class="workforce-comparison">',
        f'<p style="{_STYLE}"><b>Comparison</b> of {html.escape(", ".join(c.names))}<br>'
        f"{html.escape(_count(len(c.inputs), 'input'))} differ</p>",
    ]
    warnings = comparison_warnings(c)
    if warnings:
        parts.append(f'<ul style="{_STYLE};color:#8a4b00">' + "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
                     + "</ul>")
    table = comparison_table(c)
    changes = table[c.names[1:]].sub(table[first], axis=0).add_prefix("change: ")
    results = table.join(changes)
    from workforce.studies.compare import named_items

    named = named_items(pd.MultiIndex.from_tuples([(m, i, "") for m, i in results.index]), c.labels)
    results.index = pd.MultiIndex.from_tuples(
        [(_COMPARISON_ROWS.get(m, m), n[1]) for (m, _), n in zip(results.index, named, strict=True)],
        names=["measure", "item"])
    parts.append('<div style="display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap">')
    parts.append("<div><b>Key results, all regions</b>"
                 + _html_table(results, lambda v: f"{v:,.0f}", missing="absent") + "</div>")
    if len(c.inputs):
        shown = c.inputs.head(12).map(lambda v: v if len(str(v)) <= 28 else str(v)[:25] + "...")
        more = f" (first 12 of {len(c.inputs)})" if len(c.inputs) > 12 else ""
        parts.append(f"<div><b>Inputs that differ{more}</b>" + _html_table(shown, _html_number) + "</div>")
    parts.append("</div>")
    parts.append(f'<p style="{_STYLE}">Tables: <code>{html.escape(COMPARISON_LINE)}</code></p></div>')
    return "".join(parts)


# -- scenarios -----------------------------------------------------------------------------------------


def _scenario_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    from workforce.model.data import prepare

    d = prepare(scenario)
    first, last = d.YEARS[0], scenario.horizon.last_year  # the last reported year (plan_to: section 10.4)
    roles = pd.DataFrame([
        {
            "role": k,
            "name": r.name,
            "unit": r.unit,
            "initial stock": sum(d.stock_initial[k, g] for g in d.REGIONS),
            f"demand {first}": sum(d.demand[k, g, first] for g in d.REGIONS),
            f"demand {last}": sum(d.demand[k, g, last] for g in d.REGIONS),
            "programmes": ", ".join(p for p in d.PROGRAMMES if d.role_of[p] == k),
            "hiring": "yes" if r.hiring is not None else "no",
        }
        for k, r in scenario.roles.items()
    ]).set_index("role")
    programmes = pd.DataFrame([
        {
            "programme": p,
            "name": prog.name,
            "role": prog.role,
            "duration (years)": prog.duration,
            "completion": prog.completion_rate,
            "cost per starter (£k)": sum(sum(c.values()) for c in prog.course_costs),
        }
        for p, prog in scenario.programmes.items()
    ], columns=["programme", "name", "role", "duration (years)", "completion", "cost per starter (£k)"])
    streams = pd.DataFrame([
        {
            "stream": f,
            "name": fs.name,
            f"budget {first} (£k)": d.budget.get((f, first), math.nan),
            "envelope (£k)": math.nan if fs.envelope is None else fs.envelope,
        }
        for f, fs in scenario.funding_streams.items()
    ], columns=["stream", "name", f"budget {first} (£k)", "envelope (£k)"])
    return {
        "roles": roles,
        "programmes": programmes.set_index("programme"),
        "funding streams": streams.set_index("stream"),
    }


def _objective_text(scenario: Scenario) -> str:
    obj = scenario.objective
    if obj.lexicographic:
        return "lexicographic: " + " then ".join("[" + ", ".join(g) + "]" for g in obj.lexicographic)
    weights = {t: w for t, w in obj.weights.items() if w != 1}
    return "weighted sum" + (" (" + ", ".join(f"{t} x{w:g}" for t, w in weights.items()) + ")" if weights else
                             " of all terms, weight 1")


def _scenario_header(scenario: Scenario) -> str:
    h = scenario.horizon
    planned = f" (planned to {h.plan_to})" if h.plan_to is not None else ""  # section 10.4
    return (f"{h.first_year}-{h.last_year}{planned}, {_count(len(scenario.regions), 'region')}, {_count(len(scenario.roles), 'role')}, "
            f"{_count(len(scenario.programmes), 'programme')}, {_count(len(scenario.funding_streams), 'funding stream')}; "
            f"objective {_objective_text(scenario)}; from {scenario._origin}")


def scenario_text(scenario: Scenario) -> str:
    """The plain ``repr`` of a scenario."""
    lines = [f"Scenario {scenario.name!r}", f"  {_scenario_header(scenario)}"]
    tables = _scenario_tables(scenario)
    first, last = scenario.horizon.first_year, scenario.horizon.last_year
    for k, row in tables["roles"].iterrows():
        lines.append(
            f"  role {k}: {row['name']} ({row['unit']}), stock {row['initial stock']:,.0f}, "
            f"demand {first} {row[f'demand {first}']:,.0f}, demand {last} {row[f'demand {last}']:,.0f}"
        )
    for p, row in tables["programmes"].iterrows():
        lines.append(
            f"  programme {p}: {row['name']} -> {row['role']}, {_years(row['duration (years)'])}, "
            f"completion {row['completion']:.0%}, £{row['cost per starter (£k)']:,.2f}k per starter"
        )
    for f, row in tables["funding streams"].iterrows():
        budget = row[f"budget {first} (£k)"]
        limit = "no annual limit" if _nan(budget) else f"{budget:,.0f} £k in {first}"
        lines.append(f"  funding {f}: {row['name']}, {limit}")
    lines.append("  solve it: workforce.solve(scenario)")
    return "\n".join(lines)


def scenario_html(scenario: Scenario) -> str:
    """Compact HTML for notebooks (``Scenario._repr_html_``)."""
    parts = [
        '<div class="workforce-scenario">',
        f'<p style="{_STYLE}"><b>Scenario</b> {html.escape(scenario.name)}<br>'
        f"{html.escape(_scenario_header(scenario))}</p>",
    ]
    for title, table in _scenario_tables(scenario).items():
        if len(table):
            parts.append(f"<b>{html.escape(title.capitalize())}</b>"
                         + _html_table(table, _html_number))
    parts.append(f'<p style="{_STYLE}">Solve it: <code>workforce.solve(scenario)</code></p></div>')
    return "".join(parts)


def _html_table(table: pd.DataFrame, number: Any, missing: str = "none") -> str:
    """A plain HTML table (index as columns, one header row); Jupyter styles it like any DataFrame."""
    return table.reset_index().to_html(index=False, border=0, float_format=number, na_rep=missing)


def _html_number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.3g}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _years(n: int) -> str:
    return "qualifies in the year of starting" if n == 0 else f"{n} year{'s' if n != 1 else ''}"


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
