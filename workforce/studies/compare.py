"""Compare solved scenarios: what differs in their inputs, and their key results side by side.

``compare(plans)`` walks each validated scenario (``Scenario.model_dump()``) down to its numbers
and lists every key path whose value differs, then tabulates the key results of each plan:
shortfall by role and region, spend by funding stream, intake by programme, and the objective
with each of its terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.conveniences import provider
from workforce.plan.results import Plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MISSING = "(not set)"


@dataclass
class Comparison:
    names: list[str]
    inputs: pd.DataFrame
    """Index ``key`` (dotted key path); one column per scenario; only keys whose values differ."""
    results: pd.DataFrame
    """Index [measure, item, region]; one column per scenario. Measures: ``shortfall`` (unit-years
    over the horizon), ``shortfall_last_year``, ``spend`` (£k over the horizon), ``intake``
    (trainees over the horizon), ``objective`` (the objective and each term in it; a term of weight
    0 is left out, and NaN where only some scenarios' objectives have it). A role, region,
    stream or programme one scenario lacks is NaN (absent), never 0. Scenarios with different
    horizons are compared on their common years, without the objective (see ``notes``)."""
    status: dict[str, str] = field(default_factory=dict)
    """Each plan's solver status (``optimal`` or ``provisional``), by name."""
    period: str = "whole horizon"
    """The years the results cover: the whole horizon, or the years common to every plan."""
    notes: list[str] = field(default_factory=list)
    """What the reader must know to read the results (absent rows, common years)."""
    labels: dict[str, Any] = field(default_factory=dict)
    """Names and units of every role, stream and programme of the plans (the first plan's name
    wins), and under ``plans`` each plan's own (see :func:`workforce.studies.sweep.scenario_labels`)."""
    inputs_read: list[str] = field(default_factory=list)
    """Every file the compared scenarios read: :meth:`to_csv` never writes over one."""

    def __repr__(self) -> str:
        return provider("comparison.text")(self)

    def _repr_html_(self) -> str:
        return provider("comparison.html")(self)

    def differences(self) -> pd.DataFrame:
        """Each scenario's results minus the first scenario's."""
        first = self.results[self.names[0]]
        return self.results[self.names[1:]].sub(first, axis=0)

    def chart(self) -> Figure:
        return provider("comparison.chart")(self)

    def to_csv(self, out: str | Path) -> Path:
        """Write inputs.csv and results.csv as a comparison folder ``out``, whole or not at all,
        with a manifest; an earlier folder there is replaced only when workforce wrote all of it,
        and never one that holds a file the compared scenarios read (ExportError otherwise)."""
        from workforce.output_safety import write_folder

        write_folder(out, "compare", self.write_tables, protected=self.inputs_read, what="the folder")
        return Path(out)

    def write_tables(self, folder: Path) -> None:
        """inputs.csv and results.csv into ``folder`` (a fresh staging folder of write_folder)."""
        from workforce.studies.store import write_text_atomic

        write_text_atomic(folder / "inputs.csv", self.inputs.map(_cell).to_csv())
        write_text_atomic(folder / "results.csv", self.results.to_csv(float_format="%.6g"))


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written with a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def flatten(value: Any, prefix: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Every leaf of nested dicts and lists, keyed by dotted path."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, (*prefix, k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, (*prefix, i)))
        return out
    return {".".join(map(str, prefix)): value}


def input_differences(scenarios: Mapping[str, Any]) -> pd.DataFrame:
    """Key paths whose values differ between the scenarios (``(not set)`` where one lacks it)."""
    flat = {name: flatten(s.model_dump()) for name, s in scenarios.items()}
    keys = list(dict.fromkeys(k for f in flat.values() for k in f))
    rows = []
    for key in keys:
        values = [_value(flat[name], key) for name in scenarios]
        if any(_empty(v) for v in values) and any(k.startswith(key + ".") for f in flat.values() for k in f):
            continue  # an empty mapping (no weights given) beside one with keys: the keys' rows show it
        if any(v != values[0] for v in values[1:]):
            rows.append([key, *values])
    table = pd.DataFrame(rows, columns=["key", *scenarios]).set_index("key")
    return table


def _empty(value: Any) -> bool:
    """An empty mapping or list: nothing given there (not a value that stands for every key below)."""
    return isinstance(value, Mapping | list) and not value


def _value(flat: dict[str, Any], key: str) -> Any:
    """``flat[key]``; where a scenario gives a whole value (a scalar budget) and another gives it
    by year, the scalar stands for every year; where a scenario gives by year what another gives
    whole, it says so; else ``(not set)``."""
    if key in flat:
        return flat[key]
    parts = key.split(".")
    for n in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:n])
        if parent in flat and flat[parent] is not None and not _empty(flat[parent]):
            return f"{flat[parent]} (every year)" if not isinstance(flat[parent], str) else flat[parent]
    if any(k.startswith(key + ".") for k in flat):
        return "(by year)"
    return MISSING


def _in_years(s: pd.Series, years: list[int] | None) -> pd.Series:
    return s if years is None else s[s.index.get_level_values("year").isin(years)]


def key_results(plan: Plan, years: list[int] | None = None) -> pd.Series:
    """One plan's key results, indexed [measure, item, region]; over ``years`` only if given
    (then without the objective, which covers the plan's whole horizon)."""
    wf = plan.workforce
    last = (years or plan.data.YEARS)[-1]
    parts = {
        # sort=False: roles, regions, streams and programmes in the scenario's order
        "shortfall": _in_years(wf["shortfall"], years).groupby(level=["role", "region"], sort=False).sum(),
        "shortfall_last_year": wf["shortfall"].xs(last, level="year").groupby(level=["role", "region"],
                                                                               sort=False).sum(),
        "spend": _in_years(plan.spend["spent"], years).groupby(level="stream", sort=False).sum(),
        "intake": _in_years(plan.intake["intake"], years).groupby(level="programme", sort=False).sum(),
    }
    if years is None:
        parts["objective"] = pd.Series({"objective": plan.objective, **objective_terms(plan)})
    series = []
    for measure, s in parts.items():
        idx = s.index
        items = idx.get_level_values(0)
        regions = idx.get_level_values(1) if idx.nlevels > 1 else [""] * len(s)
        series.append(pd.Series(s.to_numpy(), index=pd.MultiIndex.from_arrays(
            [[measure] * len(s), list(items), list(regions)], names=["measure", "item", "region"])))
    return pd.concat(series)


def objective_terms(plan: Plan) -> dict[str, float]:
    """The plan's objective terms that are in its objective (weight not 0), in order. A term of
    weight 0 is not one: a count of people the objective does not name is not even counted (its
    reported 0 is no count of hires or exits), and a cost of weight 0 is not minimised."""
    weights = plan.summary.get("weights", {})
    return {t: v for t, v in plan.summary["terms"].items() if weights.get(t, 1.0) != 0}


def compare(plans: Sequence[Plan] | Mapping[str, Plan]) -> Comparison:
    """Compare two or more solved plans (a mapping gives each a name; else scenario names)."""
    if not isinstance(plans, Mapping):
        named: dict[str, Plan] = {}
        for plan in plans:
            name, n = plan.scenario_name, 2
            while name in named:
                name, n = f"{plan.scenario_name} ({n})", n + 1
            named[name] = plan
        plans = named
    if len(plans) < 2:
        raise ValueError("compare needs at least two plans")
    names = list(plans)
    inputs = input_differences({n: p.data.scenario for n, p in plans.items()})
    years, period, notes = common_years(plans)
    results = side_by_side({n: key_results(p, years) for n, p in plans.items()})  # absent stays NaN
    objective = results.index.get_level_values("measure") == "objective"
    absent = results.isna().any(axis=1) & ~objective
    labels = merged_labels([p.data.scenario for p in plans.values()])
    if absent.any():
        named = named_items(results.index[absent], labels)
        regions = {r.code: r.name for p in plans.values() for r in p.data.scenario.regions}
        items = list(dict.fromkeys(f"{m} of {i}" + (f" in {regions.get(r, r)}" if r else "") for m, i, r in named))
        notes.append(f"{len(named)} result row(s) exist in only some scenarios and are left blank (absent, "
                     f"not 0) in the others: {', '.join(items[:6])}" + (" ..." if len(items) > 6 else ""))
    if (results[objective].isna().any(axis=1)).any():
        notes.append(f"{NOT_IN_OBJECTIVE}: the term has weight 0 in that scenario's objective (blank in results.csv)")
    return Comparison(names=names, inputs=inputs, results=results,
                      status={n: p.summary["status"] for n, p in plans.items()}, period=period, notes=notes,
                      labels=labels,
                      inputs_read=list(dict.fromkeys(f for p in plans.values() for f in p.data.scenario.input_hashes)))


def common_years(plans: Mapping[str, Plan]) -> tuple[list[int] | None, str, list[str]]:
    """The years to compare: None (the whole horizon) when every plan has the same horizon, else
    the years common to all (a WorkforceError when there are none)."""
    from workforce.errors import WorkforceError

    spans = {n: (p.data.YEARS[0], p.data.YEARS[-1]) for n, p in plans.items()}
    planned = {n: (p.planned or p).data.YEARS[-1] for n, p in plans.items()}  # horizon.plan_to (section 10.4)
    if len(set(spans.values())) == 1 and len(set(planned.values())) > 1:
        first, last = next(iter(spans.values()))
        listed = "; ".join(f"{n}: {t}" for n, t in planned.items())
        return list(range(first, last + 1)), f"reported years {first}-{last}", [
            f"the scenarios are planned to different years ({listed}; horizon.plan_to): the objectives, each "
            f"over its own planned years, are left out; results cover the reported years {first}-{last}"]
    if len(set(spans.values())) == 1:
        first, last = next(iter(spans.values()))
        (further,) = set(planned.values())
        if further > last:  # every plan reports fewer years than its objective covers
            return None, f"years {first}-{last}", [
                f"the objectives cover the planned years {first}-{further} (horizon.plan_to); every other result "
                f"covers the reported years {first}-{last}"]
        return None, "whole horizon", []
    first, last = max(a for a, _ in spans.values()), min(b for _, b in spans.values())
    listed = "; ".join(f"{n} {a}-{b}" for n, (a, b) in spans.items())
    if first > last:
        raise WorkforceError(f"the scenarios' horizons have no year in common ({listed}): they cannot be compared")
    return list(range(first, last + 1)), f"common years {first}-{last}", [
        f"the horizons differ ({listed}): results cover the common years {first}-{last} only, "
        "and the objectives (each over its own horizon) are left out"]


def side_by_side(results: Mapping[str, pd.Series]) -> pd.DataFrame:
    """One column per plan, rows in the order the plans list them (the first plan's order, then
    what only later plans have, each beside its measure). A row a plan lacks (a role, stream or
    programme its scenario does not have) is NaN: absent, not zero."""
    series = list(results.values())
    order = list(dict.fromkeys(k for s in series for k in s.index))
    measures = list(dict.fromkeys(k[0] for k in order))
    order = [k for m in measures for k in order if k[0] == m]
    index = pd.MultiIndex.from_tuples(order, names=["measure", "item", "region"])
    return pd.DataFrame({n: s.reindex(index) for n, s in results.items()}, index=index)


def merged_labels(scenarios: Sequence[Any]) -> dict[str, Any]:
    from workforce.studies.labels import scenario_labels

    each = [scenario_labels(s) for s in scenarios]
    out: dict[str, Any] = {"plans": each}
    for kind in ("roles", "streams", "programmes"):
        out[kind] = {}
        for one in each:
            for k, v in one[kind].items():
                out[kind].setdefault(k, v)
    return out


def comparison_text(c: Comparison, max_inputs: int = 30) -> str:
    """Both tables as plain text for the terminal."""
    lines = [f"Input differences ({len(c.inputs)} keys):"]
    if c.inputs.empty:
        lines.append("  (none: the scenarios have the same inputs)")
    else:
        # str() of each cell: under pandas 3, astype(str) leaves a None (a key set to null) as NaN
        shown = c.inputs.head(max_inputs).map(lambda v: str(v) if len(str(v)) <= 28 else str(v)[:25] + "...")
        lines.append(shown.to_string())
        if len(c.inputs) > max_inputs:
            lines.append(f"  ... and {len(c.inputs) - max_inputs} more (write them with --out)")
    lines.append("")
    lines.append(f"Key results ({c.period}; shortfall in unit-years, spend in £k, intake in trainees;")
    lines.append("shortfall summed over regions here, by region in results.csv):")
    regional = ["shortfall", "shortfall_last_year"]
    rest = c.results.drop(index=regional, level="measure", errors="ignore")
    national = (c.results[c.results.index.get_level_values("measure").isin(regional)]
                .groupby(level=["measure", "item"], sort=False).sum(min_count=1))
    national["region"] = "all"
    national = national.set_index("region", append=True)
    table = pd.concat([national, rest]).map(lambda v: ABSENT if pd.isna(v) else f"{v:,.1f}")
    terms = table.index.get_level_values("measure") == "objective"
    table.loc[terms] = table.loc[terms].replace(ABSENT, NOT_IN_OBJECTIVE)
    table.index = named_items(table.index, c.labels)
    lines.append(table.to_string())
    if (table == ABSENT).any().any():
        lines.append(f"{ABSENT}: the scenario has no such role, funding stream or programme.")
    lines += [f"Note: {n}" for n in c.notes]
    return "\n".join(lines)


ABSENT = "absent"
NOT_IN_OBJECTIVE = "not in objective"


def named_items(index: pd.MultiIndex, labels: dict[str, Any]) -> pd.MultiIndex:
    """The printed table's items in the scenario's names: a role as its name and unit, a stream or
    a programme as its name, an objective term in words (results.csv keeps the ids)."""
    from workforce.explain.text import TERM_WORDS

    roles = {k: f"{r['name']} ({r['unit']})" for k, r in labels.get("roles", {}).items()}
    kinds = {"shortfall": roles, "shortfall_last_year": roles, "spend": labels.get("streams", {}),
             "intake": labels.get("programmes", {}), "objective": TERM_WORDS}
    return pd.MultiIndex.from_tuples(
        [(MEASURE_WORDS.get(m, m), kinds.get(m, {}).get(i, i), r) for m, i, r in index], names=index.names)


MEASURE_WORDS = {"shortfall_last_year": "shortfall, last year"}
"""Measures printed in words (results.csv keeps ``shortfall_last_year``)."""
