"""Short plain-text summaries of a plan for the terminal."""

from __future__ import annotations

from workforce.model.discount import MONEY_TERMS
from workforce.plan.horizon_cut import horizon_lines
from workforce.plan.policy import year_table
from workforce.plan.results import Plan
from workforce.words import counted

TERM_WORDS = {
    "shortfall": "shortfall penalty",
    "training_cost": "training",
    "hiring_cost": "hiring",
    "surplus_cost": "surplus",
    "flexible_cost": "flexible supply",
    "exit_cost": "exits",
}
"""The objective's terms in words (their codes are in summary.json and the formulation)."""


def objective_line(summary: dict) -> str:
    """The objective and each non-zero term, in words, with the unit (money in £k; the shortfall
    term is penalty × unit-years, in £k-equivalent)."""
    money = {t: v for t, v in summary["terms"].items() if not t.endswith("_count")}
    terms = ", ".join(f"{TERM_WORDS.get(t, t)} {v:,.1f}" for t, v in money.items() if abs(v) > 1e-9)
    people = ", ".join(f"{t.removesuffix('_count').replace('_', ' ')}s {v:,.1f}"
                       for t, v in summary["terms"].items() if t.endswith("_count") and abs(v) >= 0.05)
    return (f"  objective {summary['objective']:,.1f} (£k-equivalent)" + (f" = {terms}" if terms else "")
            + (f"; people counted: {people}" if people else ""))


def cash_line(summary: dict) -> str | None:  # type: ignore[type-arg]
    """The run summary's line for a discounted plan: the objective in cash beside the discounted one."""
    spec = summary.get("discount")
    if not spec:
        return None
    money = {t: v for t, v in summary["terms_cash"].items() if t in MONEY_TERMS and abs(v) > 1e-9}
    terms = ", ".join(f"{TERM_WORDS.get(t, t)} {v:,.1f}" for t, v in money.items())
    return (f"  discounted at {spec['rate']:.1%} a year to {spec['base_year']} prices (above); in cash: objective "
            f"{summary['objective_cash']:,.1f}" + (f" = {terms}" if terms else ""))


def rescue_note(summary: dict) -> str | None:  # type: ignore[type-arg]
    """Say so when the time limit ended without a plan and the rescue step ran beyond it."""
    seconds = (summary.get("timings_seconds") or {}).get("mip_start")
    if seconds is None:
        return None
    limit = (summary.get("solver_options") or {}).get("time_limit")
    return (f"the time limit{f' ({limit:g} s)' if limit is not None else ''} stopped HiGHS before it had any "
            f"whole-cohort plan; a rounded plan was built and improved for {seconds:.2f} s beyond the limit "
            "(see the README, 'Time limits')")


def summary_text(plan: Plan) -> str:
    """A summary a planner can read in a terminal: status, cost, shortfall by role, intake."""
    s = plan.summary
    d = plan.data
    sc = d.scenario
    span = f"{d.YEARS[0]}-{d.YEARS[-1]}"
    years = "" if span in sc.name else f", {span}"
    lines = [
        f"{sc.name}: {s['status']} plan for {counted(len(d.REGIONS), 'region')}{years} "
        f"(solved in {s['timings_seconds']['total']:.2f} s)",
    ]
    if s["status"] != "optimal":
        lines.append("  PROVISIONAL: a solver limit stopped the search; the plan is feasible but may not be the best.")
    rescue = rescue_note(s)
    if rescue:
        lines.append(f"  Note: {rescue}")
    lines.append(objective_line(s))
    lines += horizon_lines(s)  # section 10.4: horizon.plan_to
    if cash_line(s):  # section 8.7: cash beside the discounted totals
        lines.append(cash_line(s))
    lines.append("")
    from workforce.model.fte import per_head_text  # section 23

    names = {k: f"{sc.roles[k].name} ({sc.roles[k].unit}{per_head_text(d, k)})" for k in d.ROLES}
    width = max(len(n) for n in names.values()) if names else 0
    head = "Workforce (first and last year, all regions)"
    width = max(width, len(head) - 2)
    lines.append(f"{head:<{width + 2}}  year   in post  flexible    demand  shortfall")
    wf = plan.workforce
    first, last = d.YEARS[0], d.YEARS[-1]
    for k in d.ROLES:
        role = wf.xs(k, level="role")
        for t in (first, last) if first != last else (first,):
            yr = role.xs(t, level="year")
            lines.append(
                f"  {names[k]:<{width}}  {t}  {yr['supply'].sum():>8,.0f} {yr['flexible'].sum():>9,.0f} "
                f"{yr['demand'].sum():>9,.0f} {yr['shortfall'].sum():>10,.0f}"
            )
    if d.PROGRAMMES:
        lines.append("")
        by_year = plan.intake["intake"].groupby(level=["programme", "year"]).sum()
        rows = [(sc.programmes[p].name, [by_year[p, t] for t in d.YEARS]) for p in d.PROGRAMMES]
        lines += year_table("Training starters by programme (all regions)", rows, d.YEARS)
    if d.STREAMS:
        lines.append("")
        period = f"years {s['horizon']['reported_years']}" if s.get("horizon") else "whole horizon"  # section 10.4
        lines.append(f"Spend against budget (£k, {period})")
        sp = plan.spend.groupby(level="stream")[["spent", "budget"]].sum(min_count=1)
        width = max(len(sc.funding_streams[f].name) for f in d.STREAMS)
        for f in d.STREAMS:
            budget = sp.loc[f, "budget"]
            btxt = "no annual limit" if budget != budget else f"of {budget:,.0f}"
            lines.append(f"  {sc.funding_streams[f].name:<{width}} {sp.loc[f, 'spent']:>10,.0f} {btxt}")
    from workforce.plan.policy import policy_lines

    lines += policy_lines(plan)
    return "\n".join(lines)
