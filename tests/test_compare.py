"""Comparing solved scenarios: input differences and key results side by side."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from tests.test_sweep import HAND
from workforce import load_scenario, scenario_from_dict, solve
from workforce.cli.commands import main
from workforce.studies.compare import compare, flatten


def _plan(budget: float, name: str):
    spec = copy.deepcopy(HAND)
    spec["name"] = name
    spec["funding_streams"]["f"]["budget"] = budget
    return solve(scenario_from_dict(spec))


def test_flatten_reaches_every_leaf():
    assert flatten({"a": {"b": 1, "c": [2, {"d": 3}]}, "e": {}}) == {"a.b": 1, "a.c.0": 2, "a.c.1.d": 3, "e": {}}


def test_compare_lists_only_differing_inputs_and_the_hand_solved_results():
    """Budgets 4 and 8 (see tests/test_sweep.py): 6 and 2 short; 4 and 8 spent and started."""
    c = compare([_plan(4, "low"), _plan(8, "high")])
    assert c.names == ["low", "high"]
    assert list(c.inputs.index) == ["name", "funding_streams.f.budget"]
    assert c.inputs.loc["funding_streams.f.budget"].tolist() == [4.0, 8.0]
    r = c.results
    assert r.loc[("shortfall", "ep", "A")].tolist() == pytest.approx([6, 2])
    assert r.loc[("spend", "f", "")].tolist() == pytest.approx([4, 8])
    assert r.loc[("intake", "course", "")].tolist() == pytest.approx([4, 8])
    assert r.loc[("objective", "objective", "")].tolist() == pytest.approx([604, 208])
    assert c.differences().loc[("shortfall", "ep", "A"), "high"] == pytest.approx(-4)


def test_same_names_are_told_apart_and_one_plan_is_refused():
    c = compare([_plan(4, "x"), _plan(4, "x")])
    assert c.names == ["x", "x (2)"] and c.inputs.empty
    with pytest.raises(ValueError, match="at least two"):
        compare([_plan(4, "x")])


def test_cli_compare_prints_and_writes_tables_and_chart(tmp_path):
    paths = []
    for name, budget in (("low", 4), ("high", 8)):
        spec = copy.deepcopy(HAND)
        spec["funding_streams"]["f"]["budget"] = budget
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(spec))
        paths.append(str(path))
    res = CliRunner().invoke(main, ["compare", *paths, "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert "funding_streams.f.budget" in res.output and "low" in res.output and "high" in res.output
    for name in ("inputs.csv", "results.csv", "comparison.png"):
        assert (tmp_path / "c" / name).exists()


def test_inputs_csv_neutralises_formula_like_text(tmp_path):
    low, high = _plan(4, "low"), _plan(8, "high")
    spec = copy.deepcopy(HAND)
    spec["description"] = "=HYPERLINK(\"http://x\")"
    c = compare({"a": low, "b": solve(scenario_from_dict(spec))})
    c.to_csv(tmp_path)
    text = (tmp_path / "inputs.csv").read_text()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert high.objective == pytest.approx(208)


def test_a_key_set_to_null_prints_as_none():
    """A key one scenario sets to null (e.g. a variant that removes intake_min) is None in the inputs
    table; pandas 3's astype(str) kept it as NaN and the terminal text crashed."""
    from workforce.studies.compare import Comparison, comparison_text

    inputs = pd.DataFrame({"key": ["programmes.p.intake_min"], "a": ["(not set)"], "b": [None]}).set_index("key")
    results = pd.DataFrame({"a": [1.0], "b": [2.0]},
                           index=pd.MultiIndex.from_tuples([("spend", "dfe", "")], names=["measure", "item", "region"]))
    text = comparison_text(Comparison(names=["a", "b"], inputs=inputs, results=results))
    assert "programmes.p.intake_min" in text and "(not set)" in text and "None" in text


def test_a_scalar_budget_against_a_by_year_budget_shows_both_values():
    """One scenario gives the budget as one number (4, every year), the other by year (5 in 2026):
    the input differences show 4 (every year) against 5, not '(not set)'."""
    import copy

    from tests.test_sweep import HAND
    from workforce import scenario_from_dict
    from workforce.studies.compare import input_differences

    by_year = copy.deepcopy(HAND)
    by_year["funding_streams"]["f"]["budget"] = {2026: 5}
    table = input_differences({"scalar": scenario_from_dict(copy.deepcopy(HAND)),
                               "by year": scenario_from_dict(by_year)})
    row = table.loc["funding_streams.f.budget.2026"]
    assert row["scalar"] == "4.0 (every year)" and row["by year"] == 5.0
    assert table.loc["funding_streams.f.budget", "by year"] == "(by year)"
    assert "(not set)" not in table.to_numpy().ravel().tolist()


def test_terms_of_weight_zero_are_not_shown_as_objective_terms(tmp_path):
    """A count of people with weight 0 is not in the objective (nor counted: its 0.0 is no count of
    starters), so it is not an objective term of the comparison. By hand (tests/test_sweep.py): budget 4
    starts 4, 6 short: 600 + 4 = 604. Budget 8 with starter_count weighted 0.5 still starts 8 (a start
    saves 100 and costs 1.5), 2 short: 200 + 8 + 0.5 * 8 = 212, its starter_count term 8."""
    paths = []
    for name, budget, weights in (("low", 4, None), ("high", 8, {"starter_count": 0.5})):
        spec = copy.deepcopy(HAND)
        spec["name"] = name
        spec["funding_streams"]["f"]["budget"] = budget
        if weights:
            spec["objective"] = {"weights": weights}
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(spec))
        paths.append(str(tmp_path / f"{name}.yaml"))
    res = CliRunner().invoke(main, ["compare", *paths, "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    terms = pd.read_csv(tmp_path / "c" / "results.csv", index_col=[0, 1, 2], keep_default_na=False,
                        na_values=[""]).xs("objective", level="measure")
    items = list(terms.index.get_level_values("item"))
    assert not {"exit_count", "hire_count", "flexible_count"} & set(items)  # weight 0 in both
    assert terms.loc[("objective", slice(None))].to_numpy().ravel().tolist() == pytest.approx([604, 212])
    starters = terms.xs("starter_count", level="item").iloc[0]
    assert pd.isna(starters["low"]) and starters["high"] == pytest.approx(8)
    (row,) = [line for line in res.output.splitlines() if "starters (people)" in line]
    assert row.rstrip().endswith("8.0") and "not in objective" in row
    assert "hires (people)" not in res.output and "exits (people)" not in res.output
    assert "not in objective: the term has weight 0 in that scenario's objective" in res.output
    assert "absent" not in res.output  # the terms are in both scenarios' model; only their weight differs
    from workforce.studies.compare import compare as compare_plans

    c = compare_plans({n: solve(load_scenario(tmp_path / f"{n}.yaml")) for n in ("low", "high")})
    (shown,) = [line for line in repr(c).splitlines() if "starters (people)" in line]  # what a notebook prints
    assert shown.split()[-4:] == ["not", "in", "objective", "8"], shown
    inputs = pd.read_csv(tmp_path / "c" / "inputs.csv", index_col="key")
    assert list(inputs.index) == ["name", "funding_streams.f.budget", "objective.weights.starter_count"]
    assert inputs.loc["objective.weights.starter_count"].tolist() == ["(not set)", "0.5"]  # not "{} (every year)"


def test_a_comparison_of_default_objectives_shows_no_count_terms():
    c = compare([_plan(4, "low"), _plan(8, "high")])
    items = list(c.results.xs("objective", level="measure").index.get_level_values("item"))
    assert items[0] == "objective" and not [i for i in items if i.endswith("_count")]
    assert "training_cost" in items and "shortfall" in items
