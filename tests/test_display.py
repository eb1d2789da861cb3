"""Rich display of scenarios and plans, and the xarray conversion."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

from workforce import scenario_from_dict, solve
from workforce.output.display import plan_warnings, shortfall_table

from scenarios import minimal_scenario  # isort: skip


@pytest.fixture(scope="module")
def plan():
    return solve(scenario_from_dict(minimal_scenario()))


def test_shortfall_table_sums_the_workforce_table(plan):
    """SENCOs: 50 per region, 5% attrition a year, no training or hiring, demand 50 per region:
    supply 47.5 in 2026 and 50 x 0.95^3 = 42.87 in 2028 per region, so shortfall 5.0 and 14.26."""
    table = shortfall_table(plan)
    assert list(table.index) == [("ep", 2026), ("ep", 2028), ("senco", 2026), ("senco", 2028)]
    assert table.loc[("senco", 2026), "shortfall"] == pytest.approx(5.0)
    assert table.loc[("senco", 2028), "shortfall"] == pytest.approx(2 * (50 - 50 * 0.95**3))
    assert table.loc[("senco", 2028), "shortfall_rate"] == pytest.approx(1 - 0.95**3)
    wf = plan.workforce
    for (role, year), row in table.iterrows():
        assert row["demand"] == pytest.approx(wf.xs((role, year), level=("role", "year"))["demand"].sum())
    # EP demand is met (hiring and training), so no region is named.
    assert table.loc[("ep", 2028), "worst_region"] == ""
    assert table.loc[("senco", 2028), "worst_region"] == "North"  # ties go to the first region


def test_plain_repr_has_status_terms_shortfall_and_warnings(plan):
    text = repr(plan)
    assert text.startswith("Plan 'Tiny scenario': optimal, objective ")
    assert f"shortfall {plan.summary['terms']['shortfall']:,.1f}" in text
    assert "senco" in text and "14 " in text  # 2028 SENCO shortfall, 14.26 people
    assert "warning: SENCOs: 14 people of demand (14%) still unmet in 2028" in text
    assert "Educational psychologists" not in text  # no warning for a role whose demand is met
    assert "plan.workforce" in text
    assert len(text.splitlines()) <= 15


def test_html_repr_is_compact_and_escaped(plan):
    html = plan._repr_html_()
    assert "optimal" in html and "Shortfall, all regions" in html and "<table" in html
    assert "still unmet in 2028" in html
    assert len(html) < 8000
    odd = scenario_from_dict({**minimal_scenario(), "name": "Cuts <b>& more</b>"})
    assert "Cuts &lt;b&gt;&amp; more&lt;/b&gt;" in odd._repr_html_()
    assert "<b>&" not in odd._repr_html_()


def test_a_provisional_plan_says_so(plan):
    provisional = dataclasses.replace(plan, summary={**plan.summary, "status": "provisional",
                                                     "lexicographic_stages": plan.summary["lexicographic_stages"][:1]})
    warnings = plan_warnings(provisional)
    assert warnings[0].startswith("PROVISIONAL")
    assert "only 1 of 2 lexicographic stages ran" in warnings[0]
    assert "warning: PROVISIONAL" in repr(provisional)
    assert "PROVISIONAL" in provisional._repr_html_() and "provisional</span>" in provisional._repr_html_()
    assert not any(w.startswith("PROVISIONAL") for w in plan_warnings(plan))


def test_scenario_repr_and_html():
    scenario = scenario_from_dict(minimal_scenario())
    text = repr(scenario)
    assert str(scenario) == text
    assert text.splitlines()[0] == "Scenario 'Tiny scenario'"
    assert "2026-2028, 2 regions, 2 roles, 1 programme, 2 funding streams" in text
    assert "lexicographic: [shortfall] then [training_cost, hiring_cost]" in text
    # ep: initial stock 10 + 20; demand 2026 10 + 20, demand 2028 12 + 20.
    assert "role ep: Educational psychologists (people), stock 30, demand 2026 30, demand 2028 32" in text
    assert "programme dedpsy: Doctorate in educational psychology -> ep, 3 years, completion 90%" in text
    assert "funding dfe: DfE training grant, no annual limit" in text
    html = scenario._repr_html_()
    assert "<b>Roles</b>" in html and "Doctorate in educational psychology" in html


def test_to_xarray_holds_every_table(plan):
    ds = plan.to_xarray()
    assert list(ds["programme"].values) == ["dedpsy"]
    assert list(ds["role"].values) == ["ep", "senco"]  # scenario order
    assert list(ds["region_name"].values) == ["North", "South"]
    for (p, r, t), row in plan.intake.iterrows():
        assert float(ds["intake"].sel(programme=p, region=r, year=t)) == row["intake"]
    for (k, r, t), row in plan.workforce.iterrows():
        assert float(ds["shortfall"].sel(role=k, region=r, year=t)) == row["shortfall"]
        assert float(ds["leavers"].sel(role=k, region=r, year=t)) == plan.flows.loc[(k, r, t), "leavers"]
    by_item = ds["spent_by_item"].sum("item", skipna=True)
    np.testing.assert_allclose(by_item.values, ds["spent"].values)
    assert ds["spent"].attrs == {"unit": "£k", "table": "spend"}
    assert ds.attrs["status"] == "optimal"
    assert ds.attrs["objective_shortfall"] == plan.summary["terms"]["shortfall"]


def test_to_xarray_without_xarray_names_the_extra(plan, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r'pip install "workforce\[xarray\]"'):
        plan.to_xarray()


def test_to_xarray_holds_the_tables_only_some_plans_have():
    """Tenure, compliance and intake-point tables (issue 4) become <table>_<column> variables; their
    columns (stock_start, leavers, intake) would otherwise clash with the core tables'."""
    import copy

    from test_warm_policy import POLICY

    plan = solve(scenario_from_dict(copy.deepcopy(POLICY)))
    ds = plan.to_xarray()
    for name in ("tenure", "compliance", "intake_terms"):
        table = plan.extra[name]
        for column in table.columns:
            var = ds[f"{name}_{column}"]
            assert var.attrs["table"] == name
            for key, value in table[column].items():
                dims = [d if d != "intake" else "intake_point" for d in table.index.names]
                assert float(var.sel(dict(zip(dims, key, strict=True)))) == pytest.approx(value)
    assert float(ds["leavers"].sel(role="ep", region="A", year=2028)) == plan.flows.loc[("ep", "A", 2028), "leavers"]


@pytest.fixture(scope="module")
def comparison(plan):
    from workforce.studies.compare import compare

    fewer = minimal_scenario()
    fewer["name"] = "Fewer <SENCOs>"
    fewer["roles"]["senco"]["initial_stock"] = 45
    return compare({"tiny": plan, "fewer <SENCOs>": solve(scenario_from_dict(fewer))})


def senco_shortfall(stock: float) -> float:
    """No SENCO training or hiring: supply stock x 0.95^t at the end of year t (t = 1..3) in each of
    two regions against demand 50, so the shortfall over the horizon is 2 x sum(50 - stock x 0.95^t)."""
    return 2 * sum(50 - stock * 0.95**t for t in (1, 2, 3))


def test_comparison_repr_shows_inputs_and_national_results(comparison):
    """SENCO shortfall over 2026-2028: 2 x (2.5 + 4.875 + 7.131) = 29.0 with 50 each, and
    2 x (7.25 + 9.389 + 11.419) = 56.1 with 45 each."""
    text = repr(comparison)
    lines = text.splitlines()
    assert lines[0] == "Comparison of 2 plans: tiny, fewer <SENCOs>"
    assert lines[1] == "  2 inputs differ: name, roles.senco.initial_stock"
    row = next(line for line in lines if "shortfall over the horizon SENCOs (people)" in line)  # the name, not the id
    assert row.split()[-2:] == [f"{senco_shortfall(50):,.0f}", f"{senco_shortfall(45):,.0f}"] == ["29", "56"]
    assert "warning" not in text and "c.differences()" in text
    assert len(lines) <= 25


def test_comparison_html_shows_changes_and_escapes_names(comparison):
    html = comparison._repr_html_()
    assert "Fewer &lt;SENCOs&gt;" in html and "<SENCOs>" not in html
    assert "change: fewer &lt;SENCOs&gt;" in html
    # the change in SENCO shortfall over the horizon, 56.1 - 29.0 = 27, is in the results table
    change = senco_shortfall(45) - senco_shortfall(50)
    assert f"<td>{change:,.0f}</td>" in html and round(change) == 27
    assert "roles.senco.initial_stock" in html
    assert len(html) < 8000


def test_a_comparison_with_a_provisional_plan_or_no_differences_warns(comparison, plan):
    from workforce.studies.compare import compare

    provisional = dataclasses.replace(comparison, status={"tiny": "optimal", "fewer <SENCOs>": "provisional"})
    assert "warning: fewer <SENCOs>: provisional, not proven optimal" in repr(provisional)
    assert "not proven optimal" in provisional._repr_html_()
    same = compare([plan, plan])
    assert same.names == ["Tiny scenario", "Tiny scenario (2)"]
    assert "0 inputs differ" in repr(same) and "the same inputs" in repr(same)
