"""Explain an infeasible scenario in the planner's terms.

Elastic re-solve (the default): every relaxable limit (budgets, envelopes, places, minimum intakes,
caps) gets a penalised slack column; the re-solve minimises the total relaxation, each slack
weighed relative to the size of its limit. The limits whose slack is positive are the ones that
must move, and by how much, each named with its scenario key and line, together with the limits
it clashes with (the tight rows that share a decision with it and carry a dual in the re-solve).
Two further re-solves offer other ways out: more money alone, and no more money.

Strict mode (:func:`irreducible_conflict`): HiGHS's irreducible infeasible subset (IIS) of the
LP, mapped back to scenario keys and lines: limits that cannot all hold, none of them redundant.

Integer models (cohorts) are diagnosed on their LP relaxation first: when the relaxation is
feasible, the conflict comes from integrality and the error says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from workforce.errors import Conflict, InfeasibleScenarioError, UnboundedScenarioError, amount_text
from workforce.model.data import ModelData
from workforce.model.rows import KIND_NAMES, RowMeaning, describe, group_label, index_parts, planner_limit, spans

if TYPE_CHECKING:
    from workforce.model.compiled import Compiled

INF = highspy.kHighsInf
MONEY = {"budget_limit", "envelope_limit"}
"""Row families that are money: the "more money alone" and "without more money" alternatives."""
CAPACITY = {"places_limit", "national_places_limit", "supervision_limit", "intake_maximum"}
"""Row families that cap starters: the "more training capacity alone" alternative."""


def integer_columns(compiled: Compiled) -> np.ndarray:
    """Columns whose variable is integer or binary (cohort counts); empty for a pure LP."""
    return np.array([j for j, v in enumerate(compiled.columns) if v.is_integer()], dtype=np.int32)


def continuous_highs(compiled: Compiled, data: ModelData) -> highspy.Highs:
    """The compiled model in HiGHS as an LP: integer columns, if any, are relaxed."""
    from workforce.solver.core import _highs

    h = _highs(compiled, {"threads": data.scenario.solver.threads, "random_seed": data.scenario.solver.random_seed})
    relax_integrality(h, compiled)
    return h


def relax_integrality(h: highspy.Highs, compiled: Compiled) -> None:
    ints = integer_columns(compiled)
    if len(ints):
        h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))


def row_meanings(compiled: Compiled, data: ModelData) -> list[RowMeaning]:
    return [describe(con.parent_component().name, con.index(), data) for con in compiled.rows]


def explain_infeasible(compiled: Compiled, data: ModelData, maybe_unbounded: bool = False) -> Exception:
    """Return the error to raise: an InfeasibleScenarioError listing the conflicting limits."""
    from workforce.solver.core import _run_highs

    if len(integer_columns(compiled)):
        h = continuous_highs(compiled, data)
        if _run_highs(h) == highspy.HighsModelStatus.kOptimal:
            return InfeasibleScenarioError(
                "the scenario is infeasible only because cohorts come in whole numbers: its LP relaxation "
                "(fractional cohorts) has a plan, so the conflict comes from integrality (cohort sizes, "
                "minimum cohort rules, 'no cohort or at least N' rules) against the budgets and places"
            )
    meanings = row_meanings(compiled, data)
    conflicts = elastic_conflicts(compiled, data, meanings)
    if conflicts is None:
        if maybe_unbounded:
            return UnboundedScenarioError(
                "the scenario is unbounded or infeasible; check that every decision has a cost or a cap"
            )
        return InfeasibleScenarioError(
            "the scenario is infeasible, and relaxing budgets, capacities and minimums does not fix it: "
            "the stock and demand arithmetic itself conflicts (check initial stocks against surplus caps)"
        )
    families = {meanings_kind(c) for c in conflicts}
    alternatives: dict[str, list[Conflict]] = {}
    if families - {"money"}:
        money = elastic_conflicts(compiled, data, meanings, allow=lambda m: m.kind in MONEY)
        alternatives["with more money alone"] = money or []
    if "money" in families:
        other = elastic_conflicts(compiled, data, meanings, allow=lambda m: m.kind not in MONEY)
        alternatives["without more money"] = other or []
    if any(c.kind == KIND_NAMES["intake_minimum"] for c in conflicts):
        capacity = elastic_conflicts(compiled, data, meanings, allow=lambda m: m.kind in CAPACITY)
        alternatives["with more training capacity alone"] = capacity or []
    return InfeasibleScenarioError(
        "the scenario is infeasible: no plan meets all of its hard limits. "
        "The smallest relative changes that would make it feasible (other combinations may also work):",
        conflicts,
        alternatives,
    )


def meanings_kind(c: Conflict) -> str:
    return "money" if c.unit == "£k" else "other"


def elastic_conflicts(
    compiled: Compiled,
    data: ModelData,
    meanings: list[RowMeaning],
    allow: Callable[[RowMeaning], bool] | None = None,
) -> list[Conflict] | None:
    """Re-solve with penalised slacks on the relaxable rows that ``allow`` accepts (all by default);
    return the limits that moved, largest first, or None when no such relaxation is feasible."""
    from workforce.solver.core import _run_highs

    h = continuous_highs(compiled, data)
    slack_rows: list[tuple[int, float]] = []  # (row, sign of the slack column)
    for i, meaning in enumerate(meanings):
        if not meaning.relaxable or (allow is not None and not allow(meaning)):
            continue
        if np.isfinite(compiled.row_upper[i]):
            slack_rows.append((i, -1.0))
        if np.isfinite(compiled.row_lower[i]):
            slack_rows.append((i, 1.0))
    n = len(slack_rows)
    if n:
        # Rows are in £k or in people: weigh each slack by the size of its limit, so the re-solve
        # looks for the smallest *relative* moves (10% of a budget and 10% of a minimum weigh alike).
        bounds = np.array(
            [compiled.row_upper[i] if sign < 0 else compiled.row_lower[i] for i, sign in slack_rows]
        )
        # A supervision row's bound is 0 after the first year (the supervisors are a variable):
        # weigh its slack by the capacity the initial supervisors give instead.
        for n_slack, (i, _sign) in enumerate(slack_rows):
            if meanings[i].kind == "supervision_limit":
                p, r, _t = compiled.rows[i].index()
                bounds[n_slack] = data.supervision_ratio[p] * data.stock_initial[data.supervisor_role[p], r]
        h.addCols(
            n,
            1.0 / np.maximum(1.0, np.abs(bounds)),
            np.zeros(n),
            np.full(n, INF),
            n,
            np.arange(n, dtype=np.int32),
            np.array([i for i, _ in slack_rows], dtype=np.int32),
            np.array([s for _, s in slack_rows]),
        )
    if _run_highs(h) != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    n_cols = len(compiled.columns)
    x = np.asarray(solution.col_value)[:n_cols]
    values = np.asarray(solution.col_value)[n_cols:]
    dual = np.asarray(solution.row_dual)[: len(compiled.rows)]
    moved = [(i, sign, float(a)) for (i, sign), a in zip(slack_rows, values, strict=True) if a > 1e-6]
    # Partners: relaxable rows with a dual in the re-solve (they push against the moved limit).
    relaxable = np.array([m.relaxable for m in meanings], dtype=bool)
    candidates = np.flatnonzero(relaxable & (np.abs(dual) > 1e-9))
    rows_csr = compiled.A.tocsr()
    conflicts: list[Conflict] = []
    moved_rows = np.array([i for i, _, _ in moved], dtype=int)
    has_lower = np.isfinite(compiled.row_lower)
    same_decision = _same_decision(compiled, rows_csr)
    for i, sign, amount in moved:
        # Partners push the other way (a minimum against a budget or a capacity, and the reverse);
        # prefer limits that stay put, then any other moved limit with a dual.
        opposite = candidates[has_lower[candidates] != (sign > 0)]
        touching: list[int] = []
        pools = (np.setdiff1d(opposite, moved_rows), opposite[opposite != i],
                 np.setdiff1d(candidates, moved_rows), candidates[candidates != i])
        cols = same_decision(rows_csr[[i]].indices)
        for pool in pools:
            if len(pool) and len(cols):
                touching = list(pool[np.diff(rows_csr[pool][:, cols].tocsr().indptr) > 0])
            if touching:
                break
        partners = _partners(compiled, data, meanings, touching, x)
        conflicts.append(_conflict(compiled, data, i, meanings[i], amount, sign, partners, x))
    conflicts.sort(key=lambda c: -c.amount)
    return conflicts


def _same_decision(compiled: Compiled, rows_csr: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Columns plus the columns that stand for the same decision: a calendar programme's intake and
    its starters by intake point (``intake_split``), so that a budget on the intake points finds the
    minimum intake it pushes against."""
    split = np.array([i for i, con in enumerate(compiled.rows) if con.parent_component().name == "intake_split"],
                     dtype=int)
    if not len(split):
        return lambda cols: cols
    links = rows_csr[split].tocsc()

    def widen(cols: np.ndarray) -> np.ndarray:
        touched = np.unique(links[:, cols].tocoo().row) if len(cols) else np.array([], dtype=int)
        if not len(touched):
            return cols
        return np.union1d(cols, links[touched].tocsr().indices)

    return widen


def _partners(
    compiled: Compiled, data: ModelData, meanings: list[RowMeaning], rows: list[int], x: np.ndarray
) -> list[str]:
    """Name the rows, one phrase per family and programme/stream/role (regions and years merged)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j in rows:
        con = compiled.rows[j]
        name = con.parent_component().name
        parts = index_parts(name, con.index())
        groups.setdefault((name, parts["stream"], parts["programme"], parts["role"]), []).append(j)
    out = []
    for (name, *_), members in groups.items():
        if len(members) == 1:
            out.append(_named(compiled, data, meanings[members[0]], members[0], x))
            continue
        label = group_label(name, [compiled.rows[j].index() for j in members], data)
        lines: dict[str, list[int]] = {}
        for j in members:
            file, line = data.scenario.source_of(meanings[j].path)
            lines.setdefault(file, [])
            if line:
                lines[file].append(line)
        where = "; ".join(f"{f}:{spans(ls)}" if ls else f for f, ls in lines.items())
        out.append(f"{label} ({where})")
    return out


def _named(compiled: Compiled, data: ModelData, meaning: RowMeaning, i: int, x: np.ndarray | None) -> str:
    file, line = data.scenario.source_of(meaning.path)
    label = meaning.label
    if meaning.kind == "supervision_limit":
        con = compiled.rows[i]
        label += _supervision_detail(compiled, data, con, con.index(), None, x)
    return f"{label} ({file}{':' + str(line) if line else ''})"


def _conflict(
    compiled: Compiled,
    data: ModelData,
    i: int,
    meaning: RowMeaning,
    amount: float,
    sign: float,
    partners: list[str],
    x: np.ndarray,
) -> Conflict:
    file, line = data.scenario.source_of(meaning.path)
    con = compiled.rows[i]
    name, index = con.parent_component().name, con.index()
    description = meaning.label
    if name == "supervision_limit":
        description += _supervision_detail(compiled, data, con, index, amount, x)
    return Conflict(
        kind=KIND_NAMES.get(meaning.kind, meaning.kind),
        description=description,
        amount=amount,
        unit=meaning.unit,
        file=file,
        line=line,
        key=".".join(map(str, meaning.path)),
        direction="lower" if sign > 0 else "raise",
        limit=planner_limit(name, index, data),
        partners=tuple(partners),
    )


def supervisors(compiled: Compiled, data: ModelData, con: Any, index: Any, x: np.ndarray | None) -> float | None:
    """Staff of the supervising role at the start of the year of supervision row ``con`` in plan
    ``x`` (None when that depends on a plan and none is given)."""
    p, r, t = index
    k = data.supervisor_role[p]
    from workforce.model.fte import supervisor_factor  # section 23: heads = stock / fte_per_head

    if t == data.first_year:
        return supervisor_factor(data, p, t) * data.stock_initial[k, r]
    if x is None:
        return None
    var = con.model().stock[k, r, t - 1]
    j = compiled.col_position.get(id(var))
    return supervisor_factor(data, p, t) * float(x[j]) if j is not None else 0.0


def _supervision_detail(
    compiled: Compiled, data: ModelData, con: Any, index: Any, amount: float | None, x: np.ndarray | None
) -> str:
    """' (ratio 0.05 x 100.0 FTE = 5.00 places; a ratio of 0.08 would do)' for supervision row ``con``."""
    p = index[0]
    ratio = data.supervision_ratio[p]
    staff = supervisors(compiled, data, con, index, x)
    role = data.scenario.roles[data.supervisor_role[p]]
    if staff is None:
        return f" (ratio {ratio:g} x {role.name} in post at the start of the year)"
    unit = "people" if p in data.SUPERVISION_HEADS else role.unit
    text = f" (ratio {ratio:g} x {staff:,.1f} {unit} = {ratio * staff:,.2f} places"
    if amount is not None and staff > 0:
        text += f"; a ratio of {(ratio * staff + amount) / staff:.3g} would do"
    return text + ")"


def irreducible_conflict(compiled: Compiled, data: ModelData) -> list[Conflict] | None:
    """Strict diagnosis: HiGHS's irreducible infeasible subset of the LP (relaxation), as conflicts
    with amount 0, or None when HiGHS finds the LP feasible or returns no valid IIS.

    Uses ``iis_strategy`` = from-LP | irreducible (the default "light" strategy only catches bounds
    that conflict directly and returns an empty set otherwise).
    """
    from workforce.solver.core import _run_highs

    h = continuous_highs(compiled, data)
    if _run_highs(h) == highspy.HighsModelStatus.kOptimal:
        return None
    strategy = int(highspy.IisStrategy.kIisStrategyFromLp) | int(highspy.IisStrategy.kIisStrategyIrreducible)
    h.setOptionValue("iis_strategy", strategy)
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return None
    meanings = row_meanings(compiled, data)
    conflicts: list[Conflict] = []
    for i in iis.row_index_:
        meaning = meanings[i]
        file, line = data.scenario.source_of(meaning.path)
        con = compiled.rows[i]
        description = meaning.label
        if meaning.kind == "supervision_limit":
            description += _supervision_detail(compiled, data, con, con.index(), None, None)
        conflicts.append(Conflict(
            kind=KIND_NAMES.get(meaning.kind, meaning.kind),
            description=description,
            amount=0.0,
            unit=meaning.unit,
            file=file,
            line=line,
            key=".".join(map(str, meaning.path)),
            limit=planner_limit(con.parent_component().name, con.index(), data),
        ))
    for j in iis.col_index_:
        var = compiled.columns[j]
        conflicts.append(Conflict(
            kind="non-negativity",
            description=_variable_label(var, data) + " cannot be negative",
            amount=0.0,
            unit="",
            key=var.name,
        ))
    return conflicts


def strict_text(scenario: Any) -> str:
    """The strict (IIS) diagnosis of an infeasible scenario as text a planner can read."""
    from workforce.model import build_model
    from workforce.model.data import prepare
    from workforce.solver.core import compile_model

    data = prepare(scenario)
    compiled = compile_model(build_model(data))
    conflicts = irreducible_conflict(compiled, data)
    if len(integer_columns(compiled)) and conflicts is None:
        return ("Strict check: the LP relaxation (fractional cohorts) is feasible, so no set of limits conflicts "
                "as such: the conflict comes from integrality (whole cohorts, cohort sizes, minimum cohort rules).")
    if not conflicts:
        return "Strict check: HiGHS found no irreducible infeasible subset (the LP may be feasible or numerically hard)."
    bounds = [c for c in conflicts if c.kind == "non-negativity"]
    lines = [
        f"Strict check (HiGHS irreducible infeasible subset): these {len(conflicts) - len(bounds)} limits cannot all "
        "hold together; "
        "drop or loosen any one of them and the rest can be met:"
    ]
    for c in conflicts:
        if c.kind == "non-negativity":
            continue
        value = ""
        if c.limit is not None:
            value = f" = {amount_text(c.limit, c.unit)}" if c.unit == "£k" else f" = {c.limit:,.2f} {c.unit}"
        where = f" ({c.where})" if c.file else ""
        lines.append(f"  - {c.description}{value}{where}")
    if bounds:
        first = bounds[0].description.removesuffix(" cannot be negative")
        more = f" and {len(bounds) - 1} more" if len(bounds) > 1 else ""
        lines.append(f"  - with {first}{more} at zero or above (decisions cannot be negative)")
    return "\n".join(lines)


def _variable_label(var: Any, d: ModelData) -> str:
    name = var.parent_component().name
    idx = var.index() if isinstance(var.index(), tuple) else (var.index(),)
    region = d.region_names.get(idx[-2], idx[-2]) if len(idx) >= 3 else None
    if name == "intake":
        p, _, t = idx
        return f"the intake of {d.scenario.programmes[p].name} in {region} in {t}"
    if name in {"stock", "hires", "exits", "shortfall", "surplus"}:
        k, _, t = idx
        return f"the {name} of {d.scenario.roles[k].name} in {region} in {t}"
    return f"{name}{list(idx)}"
