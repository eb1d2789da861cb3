"""What a chart or report needs from a plan, whether solved now or read back from a saved run.

:class:`PlanTables` holds the five plan tables, the summary and :class:`Labels` (names, units,
programme durations and cohorts already in training). :func:`plan_tables` makes one from a live
:class:`~workforce.plan.results.Plan`; :func:`load_plan` reads one from the folder ``workforce run``
writes (the CSV tables and ``summary.json``; other files in the folder are ignored).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.conveniences import provider
from workforce.errors import WorkforceError

if TYPE_CHECKING:
    from workforce.model.data import ModelData
    from workforce.plan.results import Plan

# Columns each saved table must have: the index levels, then the values the charts read.
REQUIRED: dict[str, tuple[list[str], list[str]]] = {
    "intake": (["programme", "region", "year"], ["intake", "expected_completions", "qualifies_in"]),
    "workforce": (["role", "region", "year"], ["supply", "flexible", "demand", "shortfall", "surplus", "shortfall_rate"]),
    "flows": (["role", "region", "year"], ["stock_start", "leavers", "completions", "hires", "retraining_out",
                                            "exits", "stock_end"]),
    "spend": (["stream", "year"], ["spent", "budget", "headroom"]),
    "spend_detail": (["stream", "year", "item"], ["spent"]),
}
KEY_COLUMNS = ("programme", "role", "region", "stream", "item")


class ResultsError(WorkforceError, ValueError):
    """A saved run cannot be read: a file or a column is missing or malformed."""


@dataclass
class Labels:
    """Names and units for the plan's keys, and what the tables alone do not say about cohorts."""

    regions: dict[str, str]
    """Region code → name, in the plan's order."""
    roles: dict[str, dict[str, str]]
    """Role id → {name, unit, flexible {option id: name}}."""
    programmes: dict[str, dict[str, Any]]
    """Programme id → {name, role, duration, completion_rate, prior_intake {year: {region: starters}}}."""
    streams: dict[str, str]
    """Funding stream id → name."""
    financial_year_streams: list[str] = field(default_factory=list)
    """Streams whose budgets and spend are by financial year (April to March), not academic year."""

    def to_dict(self) -> dict[str, Any]:
        progs = {p: {**v, "prior_intake": {str(y): dict(r) for y, r in v.get("prior_intake", {}).items()}}
                 for p, v in self.programmes.items()}
        return {"regions": dict(self.regions), "roles": self.roles, "programmes": progs, "streams": dict(self.streams),
                "financial_year_streams": list(self.financial_year_streams)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Labels:
        progs = {}
        for p, v in raw.get("programmes", {}).items():
            prior = {int(y): {str(r): float(n) for r, n in regions.items()}
                     for y, regions in v.get("prior_intake", {}).items()}
            progs[p] = {**v, "prior_intake": prior}
        return cls(regions=dict(raw.get("regions", {})), roles=dict(raw.get("roles", {})), programmes=progs,
                   streams=dict(raw.get("streams", {})),
                   financial_year_streams=list(raw.get("financial_year_streams", [])))


def labels_from_data(d: ModelData) -> Labels:
    """Labels of a scenario prepared for the model."""
    sc = d.scenario
    prior: dict[str, dict[int, dict[str, float]]] = {p: {} for p in d.PROGRAMMES}
    for (p, r, year), n in sorted(d.intake_prior.items(), key=lambda kv: (kv[0][0], kv[0][2])):
        if n > 0:
            prior[p].setdefault(int(year), {})[r] = float(n)
    return Labels(
        regions=dict(d.region_names),
        roles={k: {"name": role.name, "unit": role.unit,
                   "flexible": {o: opt.name for o, opt in role.flexible_supply.items()}}
               for k, role in sc.roles.items()},
        programmes={p: {"name": g.name, "role": g.role, "duration": g.duration,
                        "completion_rate": g.completion_rate, "prior_intake": prior[p]}
                    for p, g in sc.programmes.items()},
        streams={f: s.name for f, s in sc.funding_streams.items()},
        financial_year_streams=list(d.FY_STREAMS),
    )


TABLES = ("intake", "workforce", "flows", "spend", "spend_detail")
"""The five tables every plan has, the DataFrame fields of :class:`PlanFields`."""


@dataclass
class PlanFields:
    """The fields a live :class:`~workforce.plan.results.Plan` and a :class:`PlanTables` share, defined once."""

    scenario_name: str
    intake: pd.DataFrame
    workforce: pd.DataFrame
    flows: pd.DataFrame
    spend: pd.DataFrame
    spend_detail: pd.DataFrame
    summary: dict[str, Any]


@dataclass
class PlanTables(PlanFields):
    """A plan's tables, summary and labels: all a chart needs (see :mod:`workforce.plots`)."""

    labels: Labels = field(repr=False)
    source: str = "<plan>"
    """Where the tables came from: a results folder, or ``<plan>`` for a plan solved in this session."""
    intake_terms: pd.DataFrame | None = None
    """Starters at each intake point of calendar programmes (the plan's ``intake_terms``), if any."""

    @property
    def regions(self) -> list[str]:
        return list(self.labels.regions)

    @property
    def roles(self) -> list[str]:
        return list(self.labels.roles)

    @property
    def programmes(self) -> list[str]:
        return list(self.labels.programmes)

    @property
    def streams(self) -> list[str]:
        return list(self.labels.streams)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.workforce.index.unique("year"))

    @property
    def plot(self) -> Any:  # a workforce.plots.PlotAccessor (the plots stage sits above this one)
        """Charts of this plan: ``tables.plot.capacity_map("ep")`` and the rest of :mod:`workforce.plots`."""
        return provider("plan.plot")(self)


def plan_tables(obj: Plan | PlanTables) -> PlanTables:
    """The chart view of a live plan (tables shared, not copied), or ``obj`` itself if already one."""
    if isinstance(obj, PlanTables):
        return obj
    tables = getattr(obj, "tables", None)
    data = getattr(obj, "data", None)
    if tables is None or data is None:
        raise TypeError(f"expected a Plan or PlanTables, not {type(obj).__name__}")
    # The five core tables; scenario-specific extras (tenure, compliance, ...) are not charted here.
    return PlanTables(scenario_name=obj.scenario_name, summary=obj.summary, labels=labels_from_data(data),
                      intake_terms=getattr(obj, "extra", {}).get("intake_terms"),
                      **{name: getattr(obj, name) for name in TABLES})


def load_plan(results_dir: str | Path) -> PlanTables:
    """Read a saved run (the folder ``workforce run`` or ``Plan.to_csv`` writes) for charts and reports.

    Needs ``summary.json`` and the five table CSVs; any other file in the folder is left alone.
    Runs saved without labels in their summary get the codes and ids as names (England's region
    codes get their names).
    """
    folder = Path(results_dir)
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such results folder (give the folder `workforce run --out` wrote)")
    summary_path = folder / "summary.json"
    if not summary_path.exists():
        raise ResultsError(f"{folder}: summary.json is missing; this is not a folder written by `workforce run`")
    try:
        summary = json.loads(_read(summary_path, MAX_SUMMARY_BYTES))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ResultsError(f"{summary_path}: not valid JSON ({exc})") from None
    if not isinstance(summary, dict):
        raise ResultsError(f"{summary_path}: expected a JSON object")
    tables = {name: _read_table(folder / f"{name}.csv", *cols) for name, cols in REQUIRED.items()}
    raw = summary.get("labels")
    try:
        labels = Labels.from_dict(raw) if isinstance(raw, dict) else _labels_from_tables(tables)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        raise ResultsError(f"{summary_path} [labels]: not in the form `workforce run` writes "
                           f"({type(exc).__name__}: {exc}); restore the file or delete its labels key") from None
    terms = folder / "intake_terms.csv"  # written for plans with calendar programmes
    intake_terms = (_read_table(terms, ["programme", "region", "year", "intake"], ["starters", "qualifies_in"])
                    if terms.exists() else None)
    return PlanTables(scenario_name=str(summary.get("scenario", folder.name)), summary=summary, labels=labels,
                      source=str(folder), intake_terms=intake_terms, **tables)


def _read_table(path: Path, index: list[str], values: list[str]) -> pd.DataFrame:
    if not path.exists():
        others = [p.name for p in (path.with_suffix(".parquet"), path.parent / "plan.xlsx") if p.exists()]
        if others:
            raise ResultsError(f"{path.parent}: {path.name} is missing: this run was written without CSV "
                               f"({' and '.join(others)} instead), and charts read the CSV tables; "
                               "run it again with --format csv (e.g. --format csv,parquet), or use --charts on "
                               "that run")
        raise ResultsError(f"{path.parent}: {path.name} is missing; a saved run has "
                           + ", ".join(f"{n}.csv" for n in REQUIRED) + " and summary.json")
    try:
        df = pd.read_csv(io.BytesIO(_read(path, MAX_TABLE_BYTES)), dtype={c: str for c in KEY_COLUMNS},
                         keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ResultsError(f"{path}: cannot be read as CSV ({exc})") from None
    missing = [c for c in [*index, *values] if c not in df.columns]
    if missing:
        raise ResultsError(f"{path}: missing column(s) {', '.join(missing)}")
    for c in [*values, "year"]:
        if c in KEY_COLUMNS:
            continue
        converted = pd.to_numeric(df[c], errors="coerce")
        bad = converted.isna() & df[c].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise ResultsError(f"{path}:{row}: column {c}: {df[c][bad].iloc[0]!r} is not a number")
        df[c] = converted
    if df["year"].isna().any():
        raise ResultsError(f"{path}: column year has empty cells")
    _check_cells(df, path, values)
    df["year"] = df["year"].astype(int)
    df = df.set_index(index)
    repeated = df.index.duplicated()
    if repeated.any():
        row = int(repeated.nonzero()[0][0]) + 2
        raise ResultsError(f"{path}:{row}: row {', '.join(map(str, df.index[repeated][0]))} appears twice; each row of a saved run is unique")
    return df


MAX_SUMMARY_BYTES = 50_000_000
MAX_TABLE_BYTES = 500_000_000
"""Largest summary.json and table CSV a saved run may have (far above any run workforce writes)."""


def _read(path: Path, limit: int) -> bytes:
    """A saved run's file: a regular file under ``limit`` bytes (never a FIFO or device)."""
    from workforce.errors import ScenarioError
    from workforce.scenario.fileio import read_capped

    try:
        return read_capped(path, str(path), limit, "saved-run file")
    except ScenarioError as exc:
        raise ResultsError(str(exc)) from None


def _check_cells(df: pd.DataFrame, path: Path, values: list[str]) -> None:
    """Years are whole and plausible, and numbers finite: a hand edit that breaks them is located."""
    import numpy as np

    years = df["year"].to_numpy(dtype=float)
    bad = (years != np.round(years)) | (years < 1900) | (years > 2200)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise ResultsError(f"{path}:{i + 2}: column year: {float(df['year'].iloc[i]):g} is not a year (a whole number "
                           "from 1900 to 2200)")
    for c in values:
        if c in KEY_COLUMNS or c not in df.columns:
            continue
        infinite = np.isinf(df[c].to_numpy(dtype=float))
        if infinite.any():
            i = int(infinite.nonzero()[0][0])
            raise ResultsError(f"{path}:{i + 2}: column {c}: {float(df[c].iloc[i]):g} is not a finite number")


def _labels_from_tables(tables: dict[str, pd.DataFrame]) -> Labels:
    from workforce.scenario.schema import ENGLAND_REGIONS

    england = {r.code: r.name for r in ENGLAND_REGIONS}
    regions = list(dict.fromkeys(tables["workforce"].index.get_level_values("region")))
    intake = tables["intake"].reset_index()
    programmes = {}
    for p, rows in intake.groupby("programme", sort=False):
        durations = (rows["qualifies_in"] - rows["year"]).dropna().unique()
        programmes[str(p)] = {"name": str(p), "role": None, "duration": int(durations[0]) if len(durations) else 0,
                              "completion_rate": None, "prior_intake": {}}
    return Labels(
        regions={r: england.get(r, r) for r in regions},
        roles={str(k): {"name": str(k), "unit": "people or FTE"}
               for k in dict.fromkeys(tables["workforce"].index.get_level_values("role"))},
        programmes=programmes,
        streams={str(f): str(f) for f in dict.fromkeys(tables["spend"].index.get_level_values("stream"))},
    )
