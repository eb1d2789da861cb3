"""Re-solves behind an explanation: the value of loosening a limit at a degenerate vertex, and
what-if re-solves that loosen one binding limit by a whole step (see workforce/explain/marginal.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd

from workforce.model.data import ModelData
from workforce.model.rows import group_label, index_parts
from workforce.scenario.schema import TERMS
from workforce.solver.diagnose import relax_integrality

if TYPE_CHECKING:
    from workforce.explain.marginal import Stage
    from workforce.model.compiled import Compiled
    from workforce.plan.solution import SolveInfo


def loosening_values(
    compiled: Compiled, data: ModelData, final: SolveInfo, first: Stage, limits: pd.DataFrame, most: int = 200
) -> None:
    """Add ``value_if_loosened``: the marginal value, except at a degenerate vertex (stage 1, a
    value but a zero range), where HiGHS's dual may hold only for tightening. There the objective's
    fall is re-solved for a loosening of 1e-6 × max(1, |bound|), per unit (at most ``most`` rows;
    later stages keep the dual, as re-solving them would also move the earlier stages)."""
    from workforce.errors import SolveError
    from workforce.solver.core import run

    if limits.empty:
        return
    limits["value_if_loosened"] = limits["marginal_value"]
    degenerate = limits[(limits["stage"] == 1) & (limits["marginal_value"] > 0) & (limits["holds_at_least"] <= 0)]
    for idx, row in degenerate.head(most).iterrows():
        i = int(row["row"])
        upper, lower = compiled.row_upper.copy(), compiled.row_lower.copy()
        bound = upper[i] if row["side"] == "upper" else lower[i]
        step = 1e-6 * max(1.0, abs(bound))
        if row["side"] == "upper":
            upper[i] += step
        else:
            lower[i] -= step
        moved = dataclasses.replace(compiled, row_upper=upper, row_lower=lower)
        try:
            info = run(moved, data, dict(final.options), {}, before=lambda h, c=moved: relax_integrality(h, c))
        except SolveError:
            continue
        after = info.stages[0]["value"] if info.stages else info.objective
        gain = (first.value - after) / step
        limits.loc[idx, "value_if_loosened"] = min(max(gain, 0.0), row["marginal_value"]) if gain > 1e-6 else 0.0


def _shortfall_columns(compiled: Compiled, d: ModelData) -> dict[str, np.ndarray]:
    cols: dict[str, list[int]] = {k: [] for k in d.ROLES}
    for j, v in enumerate(compiled.columns):
        if v.parent_component().name == "shortfall":
            cols[v.index()[0]].append(j)
    return {k: np.array(v, dtype=int) for k, v in cols.items()}


def _newly_binding(
    compiled: Compiled, data: ModelData, meanings: list[Any], before: np.ndarray, after: np.ndarray, moved: int,
    most: int = 3,
) -> str:
    """The limits that carry a value after the step but did not before: what takes over."""
    relaxable = np.array([m.relaxable for m in meanings], dtype=bool)
    new = np.flatnonzero(relaxable & (np.abs(after) > 1e-9) & (np.abs(before) <= 1e-9))
    new = new[new != moved]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j in new[np.argsort(-np.abs(after[new]), kind="stable")]:
        con = compiled.rows[j]
        name = con.parent_component().name
        parts = index_parts(name, con.index())
        groups.setdefault((name, parts["stream"], parts["programme"], parts["role"]), []).append(int(j))
    labels = []
    for (name, *_), members in list(groups.items())[:most]:
        if len(members) == 1:
            labels.append(meanings[members[0]].label)
        else:
            labels.append(group_label(name, [compiled.rows[j].index() for j in members], data))
    if len(groups) > most:
        labels.append(f"{len(groups) - most} more kinds of limit")
    return "; ".join(labels)


def what_if_table(
    compiled: Compiled, data: ModelData, final: SolveInfo, first: Stage, binding: pd.DataFrame, top: int,
    meanings: list[Any],
) -> pd.DataFrame:
    """Re-solve with each of the ``top`` most valuable stage-1 binding limits loosened by one step."""
    from workforce.errors import SolveError
    from workforce.solver.core import run

    columns = ["label", "step_text", "predicted", "change", "file", "line", "then_limited_by"]
    if binding.empty or top <= 0:
        return pd.DataFrame(columns=columns)
    valued = binding[(binding["stage"] == 1) & (binding["value_if_loosened"] > 0)]
    # The most valuable limit of each kind and stream/programme/role first, then the next ones.
    entity = pd.Series([f"{a}|{b}|{c}|{d}" for a, b, c, d in zip(
        valued["family"], valued["stream"], valued["programme"], valued["role"], strict=True)], index=valued.index)
    first_of_each = valued[~entity.duplicated()]
    chosen = pd.concat([first_of_each, valued.drop(first_of_each.index)]).head(top)
    shortfall_cols = _shortfall_columns(compiled, data)
    base_short = {k: float(final.x[c].sum()) for k, c in shortfall_cols.items()}
    rows = []
    for _, row in chosen.iterrows():
        i = int(row["row"])
        upper = compiled.row_upper.copy()
        lower = compiled.row_lower.copy()
        if row["side"] == "upper":
            upper[i] += row["step"]
        else:
            lower[i] -= row["step"]
        moved = dataclasses.replace(compiled, row_upper=upper, row_lower=lower)
        duals: list[np.ndarray] = []

        def keep_first(s: int, _group: list[str], h: highspy.Highs, duals: list[np.ndarray] = duals) -> None:
            if s == 0:
                duals.append(np.asarray(h.getSolution().row_dual)[: len(compiled.rows)].copy())

        try:
            info = run(moved, data, dict(final.options), {}, before=lambda h, c=moved: relax_integrality(h, c),
                       on_stage=keep_first)
        except SolveError:
            continue
        first_value = info.stages[0]["value"] if info.stages else info.objective
        entry = {
            "label": row["label"],
            "step_text": row["step_text"],
            "predicted": -row["value_per_step"],
            "change": first_value - first.value,
            "file": row["file"],
            "line": row["line"],
            "then_limited_by": _newly_binding(compiled, data, meanings, first.dual, duals[0], i) if duals else "",
        }
        for k, c in shortfall_cols.items():
            entry[f"shortfall:{k}"] = float(info.x[c].sum()) - base_short[k]
        for t in TERMS:
            if t != "shortfall":
                entry[t] = info.terms[t] - final.terms[t]
        rows.append(entry)
    df = pd.DataFrame(rows, columns=columns if not rows else None)
    units = {"predicted": f"stage-1 {first.objective}, from the marginal value",
             "change": f"stage-1 {first.objective}, re-solved"}
    units.update({f"shortfall:{k}": f"{data.scenario.roles[k].unit}-years" for k in data.ROLES})
    units.update({t: "people" if t.endswith("_count") else "£k" for t in TERMS if t != "shortfall"})
    df.attrs["units"] = units
    return df
