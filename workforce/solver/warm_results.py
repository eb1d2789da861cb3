"""What a warm model reads back from a solution: the key results of a sweep or Monte Carlo point
(supply, flexible, demand, shortfall, intake, spend, objective and terms) as one long table, read
from the compiled columns without building the plan's tables (see :mod:`workforce.solver.warm`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyomo.repn.standard_repn import generate_standard_repn
from scipy import sparse

from workforce.model.calendar import fy_spend
from workforce.model.expressions import spend
from workforce.plan.solution import SolveInfo
from workforce.scenario.horizon_extend import reported_to
from workforce.scenario.schema import TERMS
from workforce.solver.core import check_rows
from workforce.solver.policy import check_integral


def _tuple(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


class WarmResults:
    """Result extraction of :class:`~workforce.solver.warm.WarmModel` (which sets ``model``,
    ``data``, ``compiled`` and ``_vectors`` and calls :meth:`_init_extraction` once)."""

    # ---------------------------------------------------------------------------- results
    def _init_extraction(self) -> None:
        m, c = self.model, self.compiled
        self._cols: dict[str, np.ndarray] = {}
        self._keys: dict[str, list[tuple[Any, ...]]] = {}
        for name in ("stock", "shortfall", "intake", "flex"):
            var = getattr(m, name)
            keys = [_tuple(k) for k in var]
            self._keys[name] = keys
            self._cols[name] = np.array([c.col_position.get(id(var[k]), -1) for k in var], dtype=np.int64)
        self._complete = {name: bool((cols >= 0).all()) for name, cols in self._cols.items()}
        self._spend_rows()
        self._make_template()

    def _spend_rows(self) -> None:
        m, d, c = self.model, self.data, self.compiled
        keys = [(f, t) for f in d.STREAMS for t in d.YEARS]
        rows, cols, vals, const = [], [], [], np.zeros(len(keys))
        for i, (f, t) in enumerate(keys):
            expr = fy_spend(m, d, f, t) if f in d.FY_STREAMS else spend(m, d, f, t)  # as plan.spend reports it
            if not isinstance(expr, int | float):
                repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
                for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                    rows.append(i)
                    cols.append(c.col_position[id(var)])
                    vals.append(float(coef))
                const[i] = float(repn.constant)
            else:
                const[i] = float(expr)
        self._spend = (keys, sparse.csr_array((vals, (rows, cols)), shape=(len(keys), len(c.columns))), const)

    def _values(self, name: str, x: np.ndarray) -> np.ndarray:
        cols = self._cols[name]
        out = x[cols] if self._complete[name] else np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0)
        out[np.abs(out) < 1e-9] = 0.0  # solver noise
        return out

    def _make_template(self) -> None:
        keys = {
            "supply": self._keys["stock"],
            "flexible": self._keys["stock"],
            "demand": self._keys["stock"],
            "shortfall": self._keys["shortfall"],
            "intake": self._keys["intake"],
            "spend": self._spend[0],
            "objective": [("objective", 0)],
            "term": [(t, 0) for t in TERMS],
        }
        measure, item, region, year = [], [], [], []
        for name, ks in keys.items():
            measure += [name] * len(ks)
            item += [k[0] for k in ks]
            region += [k[-2] if len(k) > 2 else "" for k in ks]
            year += [int(k[-1]) for k in ks]
        years = np.array(year, dtype=np.int64)
        # horizon.plan_to: a point reports the years up to last_year, as a run does (section 10.4); 0 = whole plan
        self._shown = (years == 0) | (years <= reported_to(self.data.YEARS))
        self._template = pd.DataFrame({"measure": measure, "item": item, "region": region,
                                       "year": years})[self._shown].reset_index(drop=True)
        row_of_role = {k: i for i, k in enumerate(self._keys["stock"])}
        self._flex_target = np.array([row_of_role[(k, r, t)] for k, _o, r, t in self._keys["flex"]], dtype=np.int64)

    def key_values(self, info: SolveInfo) -> np.ndarray:
        """The values column of :meth:`key_results`, in the order of :attr:`template`."""
        x = info.x
        if self._vectors is None:
            d = self.data
            fte = np.array([d.fte_per_unit[k, o] for k, o, _r, _t in self._keys["flex"]], dtype=float)
            demand = np.array([d.demand[k] for k in self._keys["stock"]], dtype=float)
            self._vectors = (fte, demand)
        fte, demand = self._vectors
        flexible = np.zeros(len(demand))
        np.add.at(flexible, self._flex_target, fte * self._values("flex", x))
        _keys, matrix, const = self._spend
        values = np.concatenate([
            self._values("stock", x),
            flexible,
            demand,
            self._values("shortfall", x),
            self._values("intake", x),
            matrix @ x + const,
            [info.objective],
            [info.terms[t] for t in TERMS],
        ])
        return values if self._shown.all() else values[self._shown]

    @property
    def template(self) -> pd.DataFrame:
        """The label columns of :meth:`key_results` (measure, item, region, year): the reported years
        only with ``horizon.plan_to``."""
        return self._template

    def key_results(self, info: SolveInfo) -> pd.DataFrame:
        """The point's key results as a tidy long table.

        Columns: ``measure`` (supply, flexible, demand, shortfall, intake, spend, objective,
        term), ``item`` (role, programme, stream or objective term), ``region`` (empty for
        national figures), ``year`` (0 for whole-horizon figures) and ``value``.
        """
        out = self._template.copy()
        out["value"] = self.key_values(info)
        return out

    def intake_plan(self, info: SolveInfo) -> dict[tuple[str, str, int], float]:
        """The solved intake by (programme, region, year), to hold fixed in an evaluation."""
        return dict(zip(self._keys["intake"], self._values("intake", info.x).tolist(), strict=True))  # type: ignore[arg-type]

    def _beyond_reported(self) -> np.ndarray:
        """Which intake columns lie in a year after the last reported one (``horizon.plan_to``)."""
        end = reported_to(self.data.YEARS)
        return np.array([int(key[-1]) > end for key in self._keys["intake"]], dtype=bool)

    def _check(self, x: np.ndarray) -> None:
        """The same re-check as :func:`workforce.solver.core.check_rows` (which raises on a violation),
        with the row scales kept between points whose bounds did not change."""
        c = self.compiled
        if self._scale is None:
            finite_upper = np.isfinite(c.row_upper)
            self._scale = np.maximum(1.0, np.abs(np.where(finite_upper, c.row_upper, c.row_lower)))
        activity = c.A @ x
        rows = np.maximum(activity - c.row_upper, c.row_lower - activity) / self._scale
        cols = np.maximum(c.col_lower - x, x - c.col_upper)
        tolerance = self.scenario.solver.verify_tolerance
        if rows.max(initial=0.0) > tolerance or cols.max(initial=0.0) > tolerance:
            check_rows(c, x, tolerance)  # raises, naming the row or column
        check_integral(c, x, tolerance)
