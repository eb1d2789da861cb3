"""The expressions of :mod:`workforce.model.expressions` over whole (region, year) grids, as :class:`Lin`."""

from __future__ import annotations

import numpy as np

from workforce.model.array_grids import Columns, Lin
from workforce.model.calendar import FY_START, intakes_of, month_profile
from workforce.model.data import ModelData

# ---------------------------------------------------------------------------------------------
# Expressions (workforce.model.expressions, over (region, year) grids)


class Expressions:
    def __init__(self, d: ModelData, cols: Columns):
        self.d = d
        self.cols = cols
        self.R, self.T = len(d.REGIONS), len(d.YEARS)
        self._entrants: dict[str, Lin] = {}

    def var(self, name: str, i: int) -> Lin:
        return Lin.var(self.cols[name][i])

    def starters(self, p: str, lag: int) -> Lin:
        """(R, T): starters of p in year t − lag (intake in the horizon, prior intake before it)."""
        return self._lagged(self.cols["intake"][self.d.PROGRAMMES.index(p)], lag, p)

    def term_starters(self, p: str, j: str, lag: int) -> Lin:
        """(R, T): starters of p at intake j in year t − lag (prior cohorts count at ``prior_term``)."""
        block = self.cols["intake_term"][self.cols.sets["intake_term"][0].index((p, j))]
        return self._lagged(block, lag, p if j == self.d.prior_term[p] else None)

    def _lagged(self, block: np.ndarray, lag: int, prior: str | None) -> Lin:
        """(R, T): the (R, T) block of columns ``lag`` years earlier; before the horizon, the prior
        intake of programme ``prior`` (none: nothing), after it nothing."""
        d = self.d
        coef = np.zeros((self.R, self.T))
        col = np.full((self.R, self.T), -1, dtype=np.int64)
        const = np.zeros((self.R, self.T))
        for n, t in enumerate(d.YEARS):
            s = t - lag
            if d.first_year <= s <= d.YEARS[-1]:
                coef[:, n] = 1.0
                col[:, n] = block[:, n - lag]
            elif s < d.first_year and prior is not None:
                const[:, n] = [d.intake_prior.get((prior, r, s), 0.0) for r in d.REGIONS]
        return Lin((self.R, self.T), [(coef, col)], const)

    def completions(self, p: str) -> Lin:
        """completion_rate × starters duration years earlier (for a calendar, of each intake point
        its own delay earlier)."""
        d = self.d
        if p not in d.duration_months:
            return self.starters(p, d.duration[p]) * d.completion_rate[p]
        out = Lin((self.R, self.T))
        for j in intakes_of(d, p):
            out = out + self.term_starters(p, j, d.intake_delay[p, j]) * d.completion_rate[p]
        return out

    def entrants(self, k: str) -> Lin:
        if k not in self._entrants:
            out = Lin((self.R, self.T))
            for p in self.d.programmes_into[k]:
                out = out + self.completions(p)
            if k in self.cols.hiring_roles:
                out = out + self.var("hires", self.cols.hiring_roles.index(k))
            if self.d.fte_per_head:  # section 23: people joining an FTE role add fte_per_head each
                from workforce.model.fte import fte_row

                out = out * fte_row(self.d, k)
            self._entrants[k] = out
        return self._entrants[k]

    def stock_prev(self, k: str) -> Lin:
        d = self.d
        const = np.zeros((self.R, self.T))
        const[:, 0] = [d.stock_initial[k, r] for r in d.REGIONS]
        return self.var("stock", d.ROLES.index(k)).shift() + const

    def leavers(self, k: str) -> Lin:
        d = self.d
        if k in d.tenure_bands:  # section 13
            from workforce.model.array_tenure import tenure_leavers

            return tenure_leavers(self, k)
        a = np.array([d.attrition[k, r] for r in d.REGIONS]).reshape(-1, 1)
        a_new = np.array([d.attrition_new[k, r] for r in d.REGIONS]).reshape(-1, 1)
        return self.stock_prev(k) * a + self.entrants(k).shift() * (a_new - a)

    def retraining(self, k: str) -> Lin:
        out = Lin((self.R, self.T))
        for p in self.d.programmes_from[k]:
            out = out + self.var("intake", self.d.PROGRAMMES.index(p))
        return out * self._per_head(k) if self.d.fte_per_head else out

    def outflow(self, k: str) -> Lin:
        out = self.retraining(k)
        if k in self.cols.exit_roles:
            exits = self.var("exits", self.cols.exit_roles.index(k))
            out = out + (exits * self._per_head(k) if self.d.fte_per_head else exits)
        return out

    def _per_head(self, k: str) -> np.ndarray | float:
        """fte_per_head of role k by year (section 23), or 1."""
        from workforce.model.fte import fte_row

        return fte_row(self.d, k) if self.d.fte_per_head else 1.0

    def spend(self, f: str) -> Lin:
        """(T,): what stream f pays each academic year."""
        d = self.d
        total = Lin((self.R, self.T))
        for (p, y, stream), cost in d.cost_course.items():
            if stream == f and p not in d.duration_months:
                total = total + self.starters(p, y - 1) * cost
        for p in d.duration_months:
            total = total + self.course_in(p, f, financial=False)
        return total.total(axis=0) + self.other_spend(f)

    def fy_spend(self, f: str) -> Lin:
        """(T,): what stream f pays each financial year (calendar.fy_spend): course costs by month,
        and 7/12 of the other costs of academic year t plus 5/12 of those of t − 1."""
        total = Lin((self.R, self.T))
        for p in self.d.PROGRAMMES:
            total = total + self.course_in(p, f, financial=True)
        other = self.other_spend(f)
        return total.total(axis=0) + other * (FY_START / 12) + other.shift() * (1 - FY_START / 12)

    def course_in(self, p: str, f: str, financial: bool) -> Lin:
        """(R, T): course costs of p that stream f pays in each academic (or financial) year, by
        month (calendar.course_cost_in); only months in the horizon's academic years count."""
        d = self.d
        out = Lin((self.R, self.T))
        years = np.asarray(d.YEARS)
        for j in intakes_of(d, p) if p in d.duration_months else [None]:
            for (q, fy), cost in month_profile(d, p, j, f).items():
                lag = fy if financial else q
                inside = (years - lag + q >= d.first_year) & (years - lag + q <= d.YEARS[-1])
                starters = self.starters(p, lag) if j is None else self.term_starters(p, j, lag)
                out = out + starters.where(inside) * cost
        return out

    def other_spend(self, f: str) -> Lin:
        """(T,): hiring, exits, flexible supply and fixed cohort costs stream f pays each academic year."""
        d = self.d
        total = Lin((self.R, self.T))
        for i, k in enumerate(self.cols.hiring_roles):
            if d.stream_hire[k] == f and d.cost_hire[k]:
                total = total + self.var("hires", i) * d.cost_hire[k]
        for i, k in enumerate(self.cols.exit_roles):
            if d.stream_exit[k] == f and d.cost_exit[k]:
                total = total + self.var("exits", i) * d.cost_exit[k]
        for i, (k, o) in enumerate(d.FLEX):
            if d.stream_flex[k, o] == f and d.cost_flex[k, o]:
                total = total + self.var("flex", i) * d.cost_flex[k, o]
        for p in d.COHORT_PROGRAMMES:
            total = total + self.cohort_cost(p, f)
        if d.MOVE_ROUTES:  # section 24
            from workforce.model.moves import move_spend_arrays

            return total.total(axis=0) + move_spend_arrays(d, self.cols, f)
        return total.total(axis=0)

    def cohort_cost(self, p: str, f: str) -> Lin:
        """(R, T): cost_cohort[p,f] × cohorts, stream f's fixed cost of the cohorts starting each year."""
        cost = self.d.cost_cohort.get((p, f), 0.0)
        if not cost:
            return Lin((self.R, self.T))
        return self.var("cohorts", self.d.COHORT_PROGRAMMES.index(p)) * cost
