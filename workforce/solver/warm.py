"""A model built once and changed in place: the engine of sweeps and Monte Carlo.

:class:`WarmModel` builds, compiles and hands the scenario to HiGHS once. Each point then changes
only what its levers change, in the HiGHS model that already holds the last optimal basis:

* limits that are a whole right-hand side (budgets, envelopes, places, caps, minimum and maximum
  intakes, demand) move the row bound by the change (``changeRowBounds``);
* parameters inside a constraint (attrition, completion rates, starting stock, supervision
  ratios, course and other costs in the budget rows, cohorts already in training) re-evaluate the
  affected rows with the model's own constraint rules and push the coefficients that differ
  (``changeCoeff``) and the new bounds;
* objective weights, penalties and costs recompute the objective terms (``changeColsCost``).

Then HiGHS re-solves warm. A change that alters the model's structure (a duration, a new limit, a
minimum intake where there was none) cannot be applied in place: that point is solved on a model
rebuilt for it, and its record says so and why.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.standard_repn import generate_standard_repn
from scipy import sparse

from workforce.model import build_model
from workforce.model.data import prepare
from workforce.model.expressions import terms
from workforce.scenario import Scenario
from workforce.scenario.schema import TERMS
from workforce.solver.core import SolveInfo, _highs, check_rows, compile_model, run
from workforce.solver.levers import Effect, Lever, entry_value, probe, raw_key, scenario_with
from workforce.solver.policy import check_integral
from workforce.solver.warm_relaxed import reference_basis, solve_relaxed
from workforce.solver.warm_results import WarmResults, _tuple
from workforce.solver.warm_rules import AT_SOLVE, OBJECTIVE, RHS, ROW_FAMILIES, ROWS, SPEND, candidate_rows, row_groups

INF = float("inf")


class NeedsRebuild(Exception):
    """The change cannot be applied to the compiled model in place."""


class WarmModel(WarmResults):
    """A scenario's model, compiled and loaded into HiGHS once, re-solved warm after each change."""

    def __init__(self, scenario: Scenario, *, threads: int = 1, time_limit: float | None = None):
        t0 = time.perf_counter()
        self.scenario = scenario
        self.base = scenario.model_dump()
        self.data = prepare(scenario)
        self._build()
        settings = scenario.solver
        self.options = {
            "time_limit": time_limit if time_limit is not None else settings.time_limit,
            "threads": threads,
            "random_seed": settings.random_seed,
        }
        if self.compiled.integrality is not None:  # whole cohorts: re-solved as a MILP, as by solve()
            self.options["mip_gap"] = settings.mip_gap
        self.h = _highs(self.compiled, self.options, integer=True)
        self.row_of = {(name, _tuple(index)): i for i, (name, index) in enumerate(self._row_keys())}
        self._groups = row_groups(self._family_indices())
        self._A = self.compiled.A.tocsr()
        self._A.sort_indices()
        # The base scenario's rows, bounds and objective: a point is applied to the base, not to
        # the previous point, so its model (bit for bit) depends on the point alone (issue 21).
        self._A0 = self._A.copy()
        self._bounds0 = (self.compiled.row_lower.copy(), self.compiled.row_upper.copy())
        self._objective0 = (self.compiled.term_costs.copy(), self.compiled.term_offsets.copy())
        self._dirty: set[int] = set()  # rows away from the base (restored when their parameters return)
        self._repass = False  # a point changed the matrix's pattern: HiGHS gets the whole matrix again
        self._base_values = {name: dict(getattr(self.data, name)) for name in (*RHS, *ROWS, *OBJECTIVE, *AT_SOLVE)}
        self._effects: dict[Lever, Effect] = {}
        self._reasons: dict[frozenset[Lever], str | None] = {}
        self._touched: dict[str, set[tuple[Any, ...]]] = {}
        self._fixed: np.ndarray | None = None
        self._cost: np.ndarray | None = None
        self._vectors: tuple[np.ndarray, np.ndarray] | None = None
        self._weights = np.ones(len(TERMS))
        self._scale: np.ndarray | None = None
        self._start: highspy.HighsBasis | bool | None = None
        """The basis every point starts from (the base scenario's optimum), False for a cold
        start each time (a MILP, or a base with no optimal basis), None until first needed."""
        self._at_base = True
        """True while the compiled model still holds the base scenario (no point applied yet)."""
        self._version = self.h.version()
        self._init_extraction()
        self.build_seconds = time.perf_counter() - t0

    def _build(self) -> None:
        """The model and its compiled LP (:class:`workforce.solver.warm_arrays.ArrayWarmModel`: arrays)."""
        self.model = build_model(self.data)
        self.compiled = compile_model(self.model)

    def _row_keys(self) -> list[tuple[str, Any]]:
        return [(con.parent_component().name, con.index()) for con in self.compiled.rows]

    def _family_indices(self) -> list[tuple[str, Any]]:
        """(family, its indices) of the families a parameter enters (issue-4 families only when used)."""
        return [(f, getattr(self.model, f)) for f in sorted(ROW_FAMILIES) if hasattr(self.model, f)]

    def _forget(self) -> None:
        """Drop what the model remembers of the parameters: entrants and leavers are memoised per
        model (model/expressions.py) and calendar courses cache their cost by month."""
        self.model.__dict__.pop("calendar_profiles", None)
        self.model.__dict__.pop("_expression_cache", None)

    # ----------------------------------------------------------------------------------- levers
    def effect(self, lever: Lever) -> Effect:
        """What ``lever`` moves in this model (probed once, then cached)."""
        if lever not in self._effects:
            self._effects[lever] = probe(self.base, prepare(self.scenario), lever)
        return self._effects[lever]

    def structural_reason(self, levers: Mapping[str, Lever]) -> str | None:
        """Why points moving these levers need a rebuild, or None if they can be applied in place."""
        key = frozenset(levers.values())
        if key not in self._reasons:
            self._reasons[key] = self._structural_reason(levers)
        return self._reasons[key]

    def _structural_reason(self, levers: Mapping[str, Lever]) -> str | None:
        for lever in levers.values():
            effect = self.effect(lever)
            if effect.structural:
                return effect.structural
            if not effect.entries:
                return f"{lever.dotted} moves no model parameter that can be changed in place"
            missing = [k for k, v in effect.entries.get("intake_min", {}).items()
                       if v == 0 and lever.op != "scale" and ("intake_minimum", k) not in self.row_of]
            if missing:
                return f"{lever.dotted} adds minimum intakes where the model has none (e.g. {missing[0]})"
        return None

    def targets(self, values: Mapping[str, float], levers: Mapping[str, Lever]) -> dict[str, dict[tuple[Any, ...], float]]:
        """Value of every parameter entry any lever has touched so far, for this point."""
        first = self.data.first_year
        out: dict[str, dict[tuple[Any, ...], float]] = {}
        for name, keys in self._touched.items():
            base = self._base_values[name]
            out[name] = {k: base[raw_key(name, k)] for k in keys}
        for lname, v in values.items():
            lever = levers[lname]
            for name, entries in self.effect(lever).entries.items():
                table = out.setdefault(name, {})
                for key, base_value in entries.items():
                    table[key] = entry_value(lever, table.get(key, base_value), key, v, first)
        return out

    def apply(self, values: Mapping[str, float], levers: Mapping[str, Lever]) -> dict[str, int]:
        """Change the compiled model so it is the scenario with ``levers`` at ``values``.

        Returns counts of what changed (row bounds, coefficients, objective). Raises
        :class:`NeedsRebuild` if the change cannot be applied in place.
        """
        reason = self.structural_reason({n: levers[n] for n in values})
        if reason:
            raise NeedsRebuild(reason)
        self._reference()
        self._at_base = False
        try:
            return self._apply(values, levers)
        except BaseException:
            # A change that failed half-way would leave the parameters and HiGHS out of step:
            # start again from the base scenario (the point itself is rebuilt or fails).
            fixed = self._fixed
            self.__init__(self.scenario, threads=int(self.options["threads"]),  # type: ignore[misc]
                          time_limit=self.options["time_limit"])
            if fixed is not None:
                self.fix_intake(dict(zip(self._keys["intake"], fixed, strict=True)))
            raise

    def _apply(self, values: Mapping[str, float], levers: Mapping[str, Lever]) -> dict[str, int]:
        d = self.data
        changed: dict[str, dict[tuple[Any, ...], float]] = {}
        targets = self.targets(values, levers)  # the point's values of every entry touched so far
        for name, table in targets.items():
            self._touched.setdefault(name, set()).update(table)
            current = getattr(d, name)
            diff = {k: v for k, v in table.items() if current[raw_key(name, k)] != v}
            if diff:
                changed[name] = diff
        for name, diff in changed.items():
            table = getattr(d, name)
            for k, v in diff.items():
                table[raw_key(name, k)] = v
        counts = {"bounds": 0, "coefficients": 0, "costs": 0}
        self._forget()  # re-evaluated rows must not reuse expressions of the old parameters
        self._rows_at_point(changed, targets, counts)
        self._move_bounds(targets, counts)
        if OBJECTIVE & set(changed):
            self._objective_at_point(values, levers)
            counts["costs"] = 1
        if counts["bounds"]:
            self._scale = None
        if (OBJECTIVE | AT_SOLVE) & set(changed):
            self._cost = None
        if {"demand", "fte_per_unit"} & set(changed):
            self._vectors = None
        if SPEND & set(changed):
            self._spend_rows()
        return counts

    def _base(self, name: str, key: tuple[Any, ...]) -> float:
        return self._base_values[name][raw_key(name, key)]

    def _rows_at_point(self, changed: Mapping[str, Any], targets: dict[str, dict[tuple[Any, ...], float]],
                       counts: dict[str, int]) -> set[int]:
        """Re-evaluate the rows that a changed parameter enters while some parameter of theirs is
        away from its base value; put the rows whose parameters are all back at the base to their
        base entries and bounds (a re-evaluation could differ from the compiled base in the last
        bit); return the rows that now differ from the base."""
        off = self._rows_of({name: [k for k, v in table.items() if v != self._base(name, k)]
                             for name, table in targets.items() if name in ROWS})
        todo = {i: row for i, row in self._rows_of(changed).items() if i in off}
        for name, diff in changed.items():  # a right-hand side moved in a row away from the base
            for k in diff if name in RHS else ():
                i = self._rhs_row(name, k)
                if i in off:
                    todo[i] = off[i]
        self._reevaluate(todo, counts)
        self._restore_rows(sorted(self._dirty - set(off)), counts)
        self._dirty = set(off)
        self._finish_matrix()
        return set(todo)

    def _restore_rows(self, rows: list[int], counts: dict[str, int]) -> None:
        c, lower0, upper0 = self.compiled, *self._bounds0
        for i in rows:
            start, end = self._A0.indptr[i], self._A0.indptr[i + 1]
            base = dict(zip(self._A0.indices[start:end].tolist(), self._A0.data[start:end].tolist(), strict=True))
            self._set_row(i, base, counts)
            if (lower0[i], upper0[i]) != (c.row_lower[i], c.row_upper[i]):
                c.row_lower[i], c.row_upper[i] = lower0[i], upper0[i]
                self.h.changeRowBounds(i, lower0[i], upper0[i])
                counts["bounds"] += 1

    def _set_row(self, i: int, row: dict[int, float], counts: dict[str, int]) -> None:
        """Make row ``i`` of the matrix equal ``row`` (column → value); a change of the pattern
        (an entry that appears or becomes zero) is left to :meth:`_finish_matrix`, which passes the
        whole matrix again, because HiGHS would append a new entry at another position."""
        start, end = self._A.indptr[i], self._A.indptr[i + 1]
        new_entries = []
        for pos, j in enumerate(self._A.indices[start:end]):
            old, new = self._A.data[start + pos], row.pop(int(j), 0.0)
            if new != old:
                self._A.data[start + pos] = new
                counts["coefficients"] += 1
                if old == 0.0 or new == 0.0:
                    self._repass = True
                else:
                    self.h.changeCoeff(i, int(j), new)
        for j, v in row.items():
            if v != 0.0:
                new_entries.append((i, j, v))
                counts["coefficients"] += 1
        if new_entries:
            self._repass = True
            rows, cols, vals = zip(*new_entries, strict=True)
            self._A = (self._A + sparse.csr_array((vals, (rows, cols)), shape=self._A.shape)).tocsr()
            self._A.sort_indices()

    def _finish_matrix(self) -> None:
        """The compiled matrix in canonical form (sorted, no stored zeros) and, after a change of
        pattern, HiGHS holding it whole, as a model loaded afresh would (costs pushed again)."""
        A = self._A.tocsc()
        A.eliminate_zeros()
        A.sort_indices()
        self._store_matrix(A)
        if not self._repass:
            return
        self._repass = False
        c = self.compiled
        flags = np.zeros(A.shape[1], dtype=np.int32)
        if c.integrality is not None:
            flags[c.integrality] = int(highspy.HighsVarType.kInteger)
        self.h.passModel(
            A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
            np.zeros(A.shape[1]), c.col_lower, c.col_upper, c.row_lower, c.row_upper,
            A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data, flags,
        )
        self._cost = None  # solve() pushes the costs again

    def _store_matrix(self, A: Any) -> None:
        self.compiled.A = A

    def _rhs_row(self, name: str, key: tuple[Any, ...]) -> int:
        family = RHS[name][0]
        i = self.row_of.get((family, key))
        if i is None and name == "budget":  # a stream budgeted on financial years
            i = self.row_of.get(("fy_budget_limit", key))
        if i is None:
            raise NeedsRebuild(f"{family}{list(key)} is not in the model")
        return i

    def _move_bounds(self, targets: dict[str, dict[tuple[Any, ...], float]], counts: dict[str, int]) -> None:
        """Rows whose whole right-hand side a parameter is (unless just re-evaluated): the base bound
        plus the change from the base (not from the previous point, whose rounding would carry over)."""
        c, lower0, upper0 = self.compiled, *self._bounds0
        moved: list[int] = []
        for name, diff in targets.items():
            if name not in RHS:
                continue
            side = RHS[name][1]
            for k, v in diff.items():
                i = self._rhs_row(name, k)
                if i in self._dirty:  # re-evaluated as a whole, bound included
                    continue
                delta = v - self._base(name, k)
                bounds = (c.row_lower[i], c.row_upper[i])
                if side in ("upper", "both"):
                    c.row_upper[i] = upper0[i] + delta if delta else upper0[i]
                if side in ("lower", "both"):
                    c.row_lower[i] = lower0[i] + delta if delta else lower0[i]
                if bounds != (c.row_lower[i], c.row_upper[i]):
                    moved.append(i)
        if moved:
            rows = np.array(moved, dtype=np.int32)
            self.h.changeRowsBounds(len(rows), rows, c.row_lower[rows], c.row_upper[rows])
            counts["bounds"] += len(rows)

    def _objective_at_point(self, values: Mapping[str, float], levers: Mapping[str, Lever]) -> None:
        """The objective terms: the base's own when every objective parameter is at its base value."""
        targets = self.targets(values, levers)
        if all(v == self._base(name, k) for name in OBJECTIVE & set(targets) for k, v in targets[name].items()):
            self.compiled.term_costs[:], self.compiled.term_offsets[:] = self._objective0
        else:
            self._recompute_objective()

    def _rows_of(self, entries: Mapping[str, Any]) -> dict[int, tuple[str, Any]]:
        """The rows (position → family and Pyomo index) that the parameter ``entries`` enter."""
        rows: set[int] = set()
        for name, keys in entries.items():
            for k in keys:
                rows.update(self._entry_rows(name, k))
        return {i: self._row_info[i] for i in sorted(rows)}

    def _entry_rows(self, name: str, key: tuple[Any, ...]) -> tuple[int, ...]:
        """The rows one parameter entry enters (worked out once: the model's structure is fixed)."""
        memo = self.__dict__.setdefault("_entry_memo", {})
        if (name, key) not in memo:
            info = self.__dict__.setdefault("_row_info", {})
            found = []
            for family in ROWS.get(name, ()):
                for idx in candidate_rows(self._groups, self.data, name, key, family):
                    i = self.row_of.get((family, idx))
                    if i is None:
                        raise NeedsRebuild(f"{family}{list(idx)} has no row in the compiled model")
                    info[i] = (family, idx[0] if len(idx) == 1 else idx)
                    found.append(i)
            memo[name, key] = tuple(found)
        return memo[name, key]

    def _reevaluate(self, todo: Mapping[int, tuple[str, Any]], counts: dict[str, int]) -> None:
        m, c = self.model, self.compiled
        for i, (family, index) in todo.items():
            con = getattr(m, family)[index]
            con.set_value(getattr(m, family)._rule(m, index))
            repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
            row: dict[int, float] = {}
            for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                j = c.col_position.get(id(var))
                if j is None:
                    raise NeedsRebuild(f"{family}{list(_tuple(index))} now uses {var.name}, a column the model lacks")
                row[j] = row.get(j, 0.0) + float(coef)
            self._set_row(i, row, counts)
            const = float(repn.constant)
            lo = -INF if con.lower is None else float(pyo.value(con.lower)) - const
            up = INF if con.upper is None else float(pyo.value(con.upper)) - const
            if lo != c.row_lower[i] or up != c.row_upper[i]:
                c.row_lower[i], c.row_upper[i] = lo, up
                self.h.changeRowBounds(i, lo, up)
                counts["bounds"] += 1

    def _recompute_objective(self) -> None:
        c = self.compiled
        expressions = terms(self.model, self.data)
        for j, term in enumerate(TERMS):
            repn = generate_standard_repn(expressions[term], compute_values=True, quadratic=False)
            row = np.zeros(len(c.columns))
            for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                row[c.col_position[id(var)]] += float(coef)
            c.term_costs[j] = row
            c.term_offsets[j] = float(repn.constant)

    # ------------------------------------------------------------------------------ solving
    def fix_intake(self, intake: Mapping[tuple[str, str, int], float] | None) -> None:
        """Hold every intake column at the given plan (None releases them)."""
        c = self.compiled
        cols = self._cols["intake"]
        if intake is None:
            lo, up = np.zeros(len(cols)), np.full(len(cols), INF)
        else:
            values = np.array([float(intake.get(key, 0.0)) for key in self._keys["intake"]])
            lo = up = np.maximum(values, 0.0)
            beyond = self._beyond_reported()  # horizon.plan_to: the years after the reported ones stay
            if beyond.any():  # free, as they would be re-planned later (section 10.4)
                lo, up = np.where(beyond, 0.0, lo), np.where(beyond, INF, up)
        present = cols >= 0
        idx = cols[present]
        c.col_lower[idx], c.col_upper[idx] = lo[present], up[present]
        self.h.changeColsBounds(len(idx), idx.astype(np.int32), c.col_lower[idx], c.col_upper[idx])
        same = (self._fixed is None and intake is None) or (
            self._fixed is not None and intake is not None and np.array_equal(self._fixed, lo))
        if not same:  # another base: its reference basis is found again (or points start cold)
            self._start = None if self._at_base else False
        self._fixed = None if intake is None else lo

    def _reference(self) -> None:
        """Find, once and while the model holds the base scenario, the basis each point starts
        from: the base's own optimum. Every point then starts from the same state whatever the
        points solved before it, so its plan does not depend on worker count, order or resuming
        (a warm start from the previous point's basis can land on another of equal optima)."""
        if self._start is not None:
            return
        self._start = False
        if self._at_base and self.compiled.integrality is None:
            self.h.clearSolver()
            self.h.run()
            if self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal and self.h.getBasis().valid:
                self._start = self.h.getBasis()
        elif self._at_base:  # whole cohorts: the base's strengthened relaxation (warm_relaxed)
            self._start = reference_basis(self)

    def _restart(self) -> None:
        """Put HiGHS in the reference state before a point's solve (see :meth:`_reference`)."""
        self._reference()
        self.h.clearSolver()
        if self._start is not False and self.compiled.integrality is None:
            self.h.setBasis(self._start)

    def solve(self) -> SolveInfo:
        """Re-solve warm from the last basis; raises the same errors as :func:`workforce.solve`.

        A weighted-sum objective whose re-solve is optimal takes a short path (costs are pushed
        only when they changed); anything else (a lexicographic objective, an infeasible or
        time-limited point) goes through :func:`workforce.solver.core.run`, which explains failures.
        """
        c, d = self.compiled, self.data
        self._restart()
        if d.scenario.objective.lexicographic or d.equity_basis is not None:  # stages (equity is one)
            return self._solve_with_run()
        if self._cost is None:  # costs changed (apply() clears it) or run() set others
            self._weights = np.array([d.weights[t] for t in TERMS])
            self._cost = self._weights @ c.term_costs
            self.h.changeColsCost(len(self._cost), np.arange(len(self._cost), dtype=np.int32), self._cost)
        t = time.perf_counter()
        # Highs.run() directly: a warm re-solve takes milliseconds, so Ctrl-C is handled when it
        # returns; the threaded, interruptible solve of solve.run() costs more than the re-solve.
        x = solve_relaxed(self)  # whole cohorts proved by a warm LP, or None
        relaxed = x is not None
        if x is None:
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return self._solve_with_run()
            x = np.asarray(self.h.getSolution().col_value)
        elapsed = time.perf_counter() - t
        term_values = c.term_costs @ x + c.term_offsets
        terms_ = {term: float(v) for term, v in zip(TERMS, term_values, strict=True)}
        objective = float(self._weights @ term_values)
        info = SolveInfo(
            status="optimal",
            objective=objective,
            terms=terms_,
            x=x,
            row_activity=np.empty(0),  # row activities and duals are not collected on the warm
            row_dual=np.empty(0),  # path (nothing downstream reads them; check_rows recomputes A x)
            mip_gap=(0.0 if relaxed else float(self.h.getInfo().mip_gap)) if c.integrality is not None else None,
            stages=[{"stage": 1, "terms": list(TERMS), "value": objective, "status": "Optimal"}],
            timings={"solve": elapsed},
            highs_version=self._version,
            options=self.options,
        )
        self._check(x)
        return info

    def _solve_with_run(self) -> SolveInfo:
        n0 = self.h.getNumRow()
        timings: dict[str, float] = {}
        self._cost = None  # run() sets its own costs
        try:
            info = run(self.compiled, self.data, self.options, timings, highs=self.h)
        finally:
            extra = self.h.getNumRow() - n0
            if extra > 0:
                self.h.deleteRows(extra, np.arange(n0, n0 + extra, dtype=np.int32))
        check_rows(self.compiled, info.x, self.scenario.solver.verify_tolerance)
        check_integral(self.compiled, info.x, self.scenario.solver.verify_tolerance)
        return info

    def solve_point(
        self, values: Mapping[str, float], levers: Mapping[str, Lever], *, validate: bool = True
    ) -> tuple[SolveInfo, WarmModel, dict[str, Any]]:
        """Solve the scenario with ``levers`` at ``values``: in place when possible, else rebuilt.

        Returns the solve, the model that produced it (self, or a rebuilt one) and a note with
        ``how`` (``in place`` or ``rebuild``), the reason for a rebuild and the change counts.
        """
        if validate:
            scenario_with(self.base, values, levers, name=self.scenario.name)
        try:
            counts = self.apply(values, levers)
        except NeedsRebuild as exc:
            scenario = scenario_with(self.base, values, levers, name=self.scenario.name)
            scenario._sources = dict(self.scenario._sources)  # its limits are where the base's are written
            other = type(self)(scenario, threads=int(self.options["threads"]), time_limit=self.options["time_limit"])
            if self._fixed is not None:
                other.fix_intake(dict(zip(self._keys["intake"], self._fixed, strict=True)))
            return other.solve(), other, {"how": "rebuild", "reason": str(exc)}
        return self.solve(), self, {"how": "in place", "reason": "", **counts}
