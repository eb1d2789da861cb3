"""The pandas re-check meets parameters and tables by key, not by row order.

``verify_plan`` aligns the plan's tables with the scenario's parameters through positions in the
products of the scenario's sets. These tests reorder the tables' rows (keeping each role and
region's years in order, which the year-before check reads as the row before) and check that the
record is unchanged and that a broken number is still found wherever its row now sits.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from scenarios import baseline_reported_to_2035, minimal_scenario

from workforce import scenario_from_dict, solve
from workforce.errors import VerificationError
from workforce.plan.verify import verify_plan


@pytest.fixture(scope="module")
def plan():
    return solve(scenario_from_dict(minimal_scenario()))  # only ep hires: hires_max covers part of flows


def reordered(plan):
    """The same plan with its tables' rows in another order: flows year-major, workforce and intake
    reversed within each year (each role and region's years stay in order)."""
    def by_year(frame, reverse):
        order = sorted(range(len(frame)), key=lambda i: (frame.index[i][-1], -i if reverse else i))
        return frame.iloc[order]
    return dataclasses.replace(plan, flows=by_year(plan.flows, False), workforce=by_year(plan.workforce, True),
                               intake=by_year(plan.intake, True))


def test_row_order_does_not_change_the_record(plan):
    shuffled = reordered(plan)
    assert not shuffled.flows.index.equals(plan.flows.index)
    assert not shuffled.workforce.index.equals(shuffled.flows.index)
    record = verify_plan(shuffled)
    assert record["checks"] == plan.summary["verification"]["checks"]
    assert record["checks"]["hiring cap"] == 6 and record["checks"]["no hiring"] == 6  # ep's rows; senco's
    assert record["worst_relative_violation"] <= 1e-9


@pytest.mark.parametrize(("table", "row", "column", "family", "delta"), [
    ("flows", ("ep", "E2", 2027), "hires", "hiring cap", 100.0),
    ("flows", ("senco", "E1", 2027), "hires", "no hiring", 100.0),
    ("flows", ("senco", "E2", 2028), "stock_start", "stock carried over", 100.0),
    ("flows", ("ep", "E1", 2027), "leavers", "leavers", 100.0),
    ("flows", ("ep", "E1", 2028), "leavers", "stock balance", 100.0),
    ("flows", ("senco", "E1", 2027), "exits", "no exits", 100.0),
    ("flows", ("ep", "E2", 2027), "retraining_out", "retraining", 100.0),
    ("flows", ("ep", "E2", 2027), "retraining_out", "staff available to retrain or exit", 100.0),
    ("workforce", ("senco", "E1", 2027), "demand", "demand", 100.0),
    ("workforce", ("ep", "E2", 2028), "supply", "supply", 100.0),
    ("workforce", ("senco", "E2", 2027), "shortfall", "demand balance", 100.0),
    ("intake", ("dedpsy", "E1", 2027), "intake", "training places", 100.0),
    ("intake", ("dedpsy", "E2", 2027), "intake", "non-negative", -1000.0),
])
def test_a_broken_number_is_found_wherever_its_row_is(plan, table, row, column, family, delta):
    shuffled = reordered(plan)
    frame = getattr(shuffled, table).copy()
    at = int(frame.index.get_indexer([row])[0]), frame.columns.get_loc(column)
    frame.iloc[at] = frame.iloc[at] + delta
    with pytest.raises(VerificationError) as caught:
        verify_plan(dataclasses.replace(shuffled, **{table: frame}))
    where = " ".join(map(str, row))
    assert any(line.startswith(f"  - {family}: ") and where in line for line in str(caught.value).splitlines()), \
        str(caught.value)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return solve(baseline_reported_to_2035(tmp_path_factory))


def messages(plan) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_plan(plan)
    return str(caught.value)


def test_an_intake_point_missing_from_the_table_fails(baseline):
    """Dropping every spring row of npq_senco leaves the calendar's spring intake point unmatched."""
    terms = baseline.extra["intake_terms"]
    spring = (terms.index.get_level_values("programme") == "npq_senco") & (terms.index.get_level_values("intake") == "spring")
    text = messages(dataclasses.replace(baseline, extra={**baseline.extra, "intake_terms": terms[~spring]}))
    assert "calendar: intake points of npq_senco nan nan spring: 0 differs from 1" in text


def test_starters_in_an_unknown_region_fail_the_split(baseline):
    """A row for a region the scenario does not have is outside the sets: the split is checked by key."""
    terms = baseline.extra["intake_terms"]
    extra_row = terms.iloc[[0]].rename(index={terms.index[0][1]: "ZZ"}, level="region")
    extra_row.iloc[0, extra_row.columns.get_loc("starters")] = 7.0
    text = messages(dataclasses.replace(baseline, extra={**baseline.extra,
                                                         "intake_terms": pd.concat([terms, extra_row])}))
    assert f"intake split: starters over the intake points of {terms.index[0][0]} ZZ {terms.index[0][2]}: 7 differs from 0" \
        in text


LONDON = "E12000007"


@pytest.mark.parametrize(("table", "row", "column", "delta", "family"), [
    ("intake", ("ep_doctorate", LONDON, 2030), "intake", -1000.0, "minimum intake"),
    ("intake", ("ep_doctorate", LONDON, 2030), "intake", 50.0, "supervision capacity"),
    ("intake", ("npq_senco", LONDON, 2030), "intake", 1e6, "national training places"),
    ("workforce", ("ep", LONDON, 2030), "flexible", 1e4, "flexible-supply cap"),
    ("workforce", ("ep", LONDON, 2030), "flexible", -1e4, "flexible-supply cap"),
])
def test_the_baselines_limits_are_rechecked(baseline, table, row, column, delta, family):
    frame = getattr(baseline, table).copy()
    at = int(frame.index.get_indexer([row])[0]), frame.columns.get_loc(column)
    frame.iloc[at] = frame.iloc[at] + delta
    text = messages(dataclasses.replace(baseline, **{table: frame}))
    assert any(line.startswith(f"  - {family}: ") for line in text.splitlines()), text
