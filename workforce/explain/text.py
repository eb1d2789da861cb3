"""Plain-text rendering of an :class:`~workforce.explain.marginal.Explanation` for the terminal."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from workforce.errors import amount_text

if TYPE_CHECKING:
    from workforce.explain.marginal import Explanation


def _num(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.1f}"
    if v == 0:
        return "0"
    return f"{v:.3g}"


def _name(e: Explanation, kind: str, key: object) -> str:
    """The scenario's name for an id (``kind``: roles, regions, streams or programmes); the id when
    the explanation carries no names (one made before names were recorded)."""
    return e.names.get(kind, {}).get(str(key), str(key))


def _holds(v: float, unit: str) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "-"
    if math.isinf(v):
        return "any amount"
    if v <= 0:
        return "0 (degenerate)"
    return amount_text(v, unit) if unit == "£k" else f"{v:,.1f}"


def _where(file: str | None, line: float | None) -> str:
    if not file:
        return ""
    return f"{file}:{int(line)}" if line is not None and not (isinstance(line, float) and math.isnan(line)) else file


TERM_WORDS = {"shortfall": "shortfall penalty", "training_cost": "training cost", "hiring_cost": "hiring cost",
              "surplus_cost": "surplus cost", "flexible_cost": "flexible-supply cost", "exit_cost": "exit cost",
              "intake_change": "the year-to-year change in intake (the tie-break, section 8.5)",
              "exit_count": "exits (people)", "hire_count": "hires (people)", "starter_count": "starters (people)",
              "flexible_count": "flexible-supply units"}

GLOSSARY = [
    "Words used below:",
    "  value: how much the objective falls when a limit is loosened by one step (a budget or a",
    "    capacity raised, a minimum lowered); 0 means loosening that limit alone changes nothing.",
    "  holds for: the amount of loosening over which the value holds at least (it may hold further);",
    "    past it another limit takes over.",
    "  degenerate: the plan sits where several limits meet, so the value holds for no loosening at all",
    "    ('holds for 0'); the list shows what one step of loosening really gains (re-solved), and what",
    "    one step of tightening would cost when that is more.",
    "  first-order estimate: the value times the step, before re-solving; the re-solved change is the",
    "    real effect of a whole step.",
]


def _stage(e: Explanation, n: int) -> str:
    """' (stage n of m)' for a lexicographic objective; nothing when the objective has one stage."""
    return f" (stage {n} of {len(e.stages)})" if len(e.stages) > 1 else ""


def explanation_text(e: Explanation, top: int = 12) -> str:
    lines = [f"Explanation of {e.scenario_name!r}"]
    for s in e.stages:
        terms = " + ".join(TERM_WORDS.get(t, t) for t in s["terms"])
        head = f"  stage {s['stage']} of {len(e.stages)} minimises" if len(e.stages) > 1 else "  the plan minimises"
        lines.append(f"{head} {terms}; values in {s['objective']}")
    if len(e.stages) > 1:
        lines.append("  (stages: the objective is minimised in turn, each stage holding the earlier ones at their best)")
    lines += ["", *GLOSSARY]
    for note in e.notes:
        lines += [""] + textwrap.wrap("Note: " + note, width=100)
    b = e.binding
    for stage in e.stages:
        sb = b[b["stage"] == stage["stage"]] if not b.empty else b
        lines.append("")
        n_bind = int((sb["status"] == "binds").sum()) if not sb.empty else 0
        n_near = int((sb["status"] == "nearly binds").sum()) if not sb.empty else 0
        valued = sb[sb["marginal_value"] > 0] if not sb.empty else sb
        lines.append(f"What holds the plan back{_stage(e, stage['stage'])}: {n_bind} limits bind and {n_near} nearly "
                     f"bind; {len(valued)} of them carry a value:")
        if valued.empty:
            lines.append("  (none: loosening any one limit alone would not improve this stage)")
            continue
        counts = valued.groupby("kind", sort=False).size()
        lines.append("  " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
        money = valued["unit"] == "£k"
        for title, part in (("money", valued[money]), ("places, caps and minimums, by region and year", valued[~money])):
            if part.empty:
                continue
            lines.append(f"  The {min(top, len(part))} most valuable ({title}):")
            lines.append(f"  {'value':>9}  {'per step':<24} {'holds for':>11}  limit (source)")
            # the value shown is what loosening gains, the order the list is in
            part = part.assign(_gain=part["value_if_loosened"] * part["step"])
            part = part.sort_values("_gain", ascending=False, kind="stable")
            for _, r in part.head(top).iterrows():
                flag = "" if r["status"] == "binds" else " [nearly binds]"
                if r["value_if_loosened"] < r["marginal_value"] - 1e-9:
                    flag += f" [degenerate: one step of tightening would cost {_num(r['value_per_step'])}]"
                lines.append(f"  {_num(r['_gain']):>9}  {r['step_text']:<24} "
                             f"{_holds(r['holds_at_least'], r['unit']):>11}  {r['label']}{flag} "
                             f"({_where(r['file'], r['line'])})")
    if not e.by_region.empty:
        br = e.by_region.xs(e.by_region.index.get_level_values("stage").min(), level="stage")
        first_year = br.index.get_level_values("year").min()
        first_stage = int(e.by_region.index.get_level_values("stage").min())
        lines += ["", f"By region in {first_year}{_stage(e, first_stage)}: the most valuable regional limit that binds"]
        rows = br.xs(first_year, level="year", drop_level=False)
        width = max(len(_name(e, "regions", region)) for region, _ in rows.index)
        for (region, _), r in rows.iterrows():
            lines.append(f"  {_name(e, 'regions', region):<{width}} {_num(r['value_per_step']):>9}  {r['step']:<22} {r['most_valuable']} "
                         f"({r['binding_with_value']} bind with a value: {r['kinds']})")
    if not e.what_if.empty:
        what = " (in the stage 1 objective)" if len(e.stages) > 1 else ""
        lines += ["", f"What one step buys (re-solved with the limit loosened){what}:"]
        units = e.what_if.attrs.get("units", {})
        for _, w in e.what_if.iterrows():
            lines.append(f"  {w['step_text']} in {w['label']} ({_where(w['file'], w['line'])}):")
            parts = [f"objective {w['change']:+,.1f} (first-order estimate {w['predicted']:+,.1f})"]
            for col in e.what_if.columns:
                if col.startswith("shortfall:") and abs(w[col]) > 1e-6:
                    parts.append(f"shortfall of {_name(e, 'roles', col.split(':', 1)[1])} {w[col]:+,.2f} "
                                 f"{units.get(col, '')}")
                elif col.endswith("_cost") and abs(w[col]) > 1e-6:
                    parts.append(f"{col.replace('_', ' ')} {'+' if w[col] > 0 else '-'}{amount_text(abs(w[col]), '£k')}")
            lines.append("    " + "; ".join(parts))
            if w.get("then_limited_by"):
                lines.append(f"    then held back by: {w['then_limited_by']}")
    bud = e.budgets.reset_index()
    if not bud.empty:
        first = bud[bud["stage"] == bud["stage"].min()]
        years = [y for y in first["year"].unique() if y != "all"]
        lines += ["", f"Budgets{_stage(e, int(bud['stage'].min()))}: what £1m more gains, net of its own cost, by year "
                  "('-' = no budget; envelope = whole horizon)"]
        width = max(6, *(len(_name(e, "streams", f)) for f in first["stream"].unique()))
        lines.append(f"  {'stream':<{width}} " + " ".join(f"{str(y):>7}" for y in years) + f" {'envelope':>9}")
        tighter = False
        for stream, grp in first.groupby("stream", sort=False):
            vals = dict(zip(grp["year"], grp["value_of_1m"], strict=True))
            if "value_of_1m_less" in grp:
                tighter |= bool((grp["value_of_1m_less"] > grp["value_of_1m"] + 1e-9).any())
            lines.append(f"  {_name(e, 'streams', stream):<{width}} " + " ".join(f"{_num(vals.get(y, math.nan)):>7}" for y in years)
                         + f" {_num(vals.get('all', math.nan)):>9}")
        if tighter:
            lines.append("  (some budgets are degenerate: £1m less would cost more than £1m more gains; "
                         "see value_of_1m_less in budgets.csv)")
    if not e.ratios.empty:
        first = e.ratios.xs(e.ratios.index.get_level_values("stage").min(), level="stage")
        stage = int(e.ratios.index.get_level_values("stage").min())
        lines += ["", f"Supervision ratios{_stage(e, stage)}: value of +0.01 on the ratio (first-order estimate)"]
        for prog, r in first.iterrows():
            lines.append(f"  {_name(e, 'programmes', prog)}: ratio {r['ratio']:g}, +0.01 is worth {_num(r['value_of_0.01'])} "
                         f"({r['binding_rows']} region-years bind; {_where(r['file'], r['line'])})")
    pl = e.places
    if not pl.empty:
        first = pl.xs(pl.index.get_level_values("stage").min(), level="stage")
        stage = int(pl.index.get_level_values("stage").min())
        lines += ["", f"Training places{_stage(e, stage)}: value of one more starter allowed by every capacity limit, "
                  "by region and year"]
        quiet: list[str] = []
        for prog, grp in first.groupby(level="programme", sort=False):
            v = grp["value_of_one_more_starter"].droplevel("programme").unstack("year")
            if not (v.fillna(0) > 0).to_numpy().any():
                quiet.append(_name(e, "programmes", prog))
                continue
            limited = sorted({x for s in grp["limited_by"] for x in s.split(", ") if x})
            lines.append(f"  {_name(e, 'programmes', prog)} (binding: {', '.join(limited)})")
            width = max(6, *(len(_name(e, "regions", r)) for r in v.index))
            lines.append(f"    {'region':<{width}} " + " ".join(f"{y:>6}" for y in v.columns))
            for region, vals in v.iterrows():
                lines.append(f"    {_name(e, 'regions', region):<{width}} " + " ".join(f"{_num(x):>6}" for x in vals))
        if quiet:
            lines.append(f"  {', '.join(quiet)}: 0 everywhere (one more place alone buys nothing: no capacity limit binds"
                         " with a value, e.g. because money binds first)")
    from workforce.explain.fte import fte_lines  # section 23
    from workforce.explain.moves import moves_lines  # section 24

    return "\n".join(lines + _post_horizon_lines(e) + _movement_lines(e) + fte_lines(e) + moves_lines(e))


def _movement_lines(e: Explanation) -> list[str]:
    """Staff moving between regions (section 21.4): in, out and net per role and region over the horizon."""
    mv = e.movement
    if mv.empty:
        return []
    lines = ["", "Staff moving between regions over the horizon (movement shares; net = in - out):"]
    width = max(12, *(len(f"{_name(e, 'roles', k)}, {_name(e, 'regions', r)}") for k, r in mv.index))
    for (k, r), row in mv.iterrows():
        where = f"{_name(e, 'roles', k)}, {_name(e, 'regions', r)}"
        lines.append(f"  {where:<{width}} in {row['moved_in']:,.1f}, out {row['moved_out']:,.1f}, "
                     f"net {row['net']:+,.1f}")
    return lines


def _post_horizon_lines(e: Explanation) -> list[str]:
    """The post-horizon years (section 10.1): what one more unit of supply there is worth, by role and
    year (summed over regions' rows, stage 1), so a reader sees why late cohorts are trained."""
    post = e.post_horizon
    if post.empty:
        return []
    first = post[post["stage"] == post["stage"].min()]
    table = first.groupby(["role", "year"])["value"].agg(["max", lambda v: int((v > 0).sum())])
    lines = ["", "After the horizon (terminal_value): value of one more unit of projected supply"
             + (" (in the stage 1 objective)" if len(e.stages) > 1 else ""),
             "  (the weighted post-horizon penalty where the year is short against the last year's demand, else 0)"]
    width = max(12, *(len(_name(e, "roles", role)) for role, _ in table.index))
    for (role, year), (top, short) in table.iterrows():
        lines.append(f"  {_name(e, 'roles', role):<{width}} {year}: up to {_num(top)} a unit; short in {int(short)} region(s)")
    return lines
