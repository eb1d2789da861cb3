"""Short plain-text summaries of a plan for the terminal."""

from __future__ import annotations

from workforce.results import Plan


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
    lines = [
        f"{sc.name}: {s['status']} plan for {len(d.REGIONS)} regions, {d.YEARS[0]}-{d.YEARS[-1]} "
        f"(solved in {s['timings_seconds']['total']:.2f} s)",
    ]
    if s["status"] != "optimal":
        lines.append("  PROVISIONAL: a solver limit stopped the search; the plan is feasible but may not be the best.")
    rescue = rescue_note(s)
    if rescue:
        lines.append(f"  Note: {rescue}")
    terms = ", ".join(f"{t} {v:,.1f}" for t, v in s["terms"].items() if abs(v) > 1e-9)
    lines.append(f"  objective {s['objective']:,.1f}" + (f": {terms}" if terms else ""))
    lines.append("")
    lines.append(f"{'Workforce (first and last year)':<51} in post  flexible   demand  shortfall")
    wf = plan.workforce
    first, last = d.YEARS[0], d.YEARS[-1]
    for k in d.ROLES:
        role = wf.xs(k, level="role")
        for t in (first, last) if first != last else (first,):
            yr = role.xs(t, level="year")
            label = f"  {sc.roles[k].name[:44]:<44} {t}"
            lines.append(
                f"{label:<51} {yr['supply'].sum():>8,.0f} {yr['flexible'].sum():>9,.0f} {yr['demand'].sum():>8,.0f} "
                f"{yr['shortfall'].sum():>10,.0f}"
            )
    if d.PROGRAMMES:
        lines.append("")
        lines.append("Intake by programme (all regions)  " + " ".join(f"{t:>7}" for t in d.YEARS))
        by_year = plan.intake["intake"].groupby(level=["programme", "year"]).sum()
        for p in d.PROGRAMMES:
            lines.append(f"  {sc.programmes[p].name[:32]:<32} " + " ".join(f"{by_year[p, t]:>7,.0f}" for t in d.YEARS))
    if d.STREAMS:
        lines.append("")
        lines.append("Spend against budget (£k, whole horizon)")
        sp = plan.spend.groupby(level="stream")[["spent", "budget"]].sum(min_count=1)
        for f in d.STREAMS:
            budget = sp.loc[f, "budget"]
            btxt = "no annual limit" if budget != budget else f"of {budget:,.0f}"
            lines.append(f"  {sc.funding_streams[f].name[:40]:<40} {sp.loc[f, 'spent']:>10,.0f} {btxt}")
    from workforce.policy_results import policy_lines

    lines += policy_lines(plan)
    return "\n".join(lines)
