"""Forecast methods on series with known answers, the backtest, and demand_forecast in scenarios."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workforce import load_scenario, prepare, scenario_from_dict
from workforce.scenario.projection import (
    ForecastError,
    backtest,
    convert,
    fit_compound_growth,
    fit_linear_slope,
    mape,
    project,
)

from scenarios import assert_problem, minimal_scenario, only_problem, problems_of, write_scenario  # isort: skip

YEARS = range(2019, 2024)


def geometric(x0: float, g: float, years=YEARS) -> dict[int, float]:
    return {y: x0 * (1 + g) ** (y - years[0]) for y in years}


# --------------------------------------------------------------------------------------------
# Methods: known answers
# --------------------------------------------------------------------------------------------


def test_compound_recovers_a_constant_growth_series_exactly():
    """100 x 1.05^(t-2019) observed 2019-2023: the fitted rate is 5% and 2024-2026 follow it."""
    series = geometric(100, 0.05)
    assert fit_compound_growth(series) == pytest.approx(0.05, rel=1e-12)
    out = project(series, [2024, 2025, 2026], "compound")
    for y in (2024, 2025, 2026):
        assert out[y] == pytest.approx(100 * 1.05 ** (y - 2019), rel=1e-12)


def test_linear_recovers_a_straight_line_exactly():
    """50 + 7 (t-2019): slope 7, and 2026 is 50 + 49 = 99."""
    series = {y: 50 + 7 * (y - 2019) for y in YEARS}
    assert fit_linear_slope(series) == pytest.approx(7)
    assert project(series, [2026], "linear")[2026] == pytest.approx(99)


def test_damped_growth_by_hand():
    """Constant 10% growth, damping 0.5, long-run 2%, last value 146.41 (= 100 x 1.1^4).

    g_1 = 0.02 + 0.08 x 0.5 = 0.06 -> 155.1946; g_2 = 0.02 + 0.08 x 0.25 = 0.04 -> 161.402384.
    """
    out = project(geometric(100, 0.10), [2024, 2025], "damped", damping=0.5, long_run_growth=0.02)
    assert out[2024] == pytest.approx(146.41 * 1.06, rel=1e-12)
    assert out[2025] == pytest.approx(146.41 * 1.06 * 1.04, rel=1e-12)


def test_damped_limits_are_compound_and_long_run():
    series = geometric(80, 0.08)
    years = [2024, 2027, 2030]
    assert project(series, years, "damped", damping=1.0) == pytest.approx(project(series, years, "compound"))
    last = series[2023]
    out = project(series, years, "damped", damping=0.0, long_run_growth=0.03)
    assert out[2030] == pytest.approx(last * 1.03**7)


def test_flat_holds_the_last_value_and_observed_years_are_returned_as_observed():
    series = {2019: 5.0, 2020: 7.0}
    assert project(series, [2019, 2020, 2031], "flat") == {2019: 5.0, 2020: 7.0, 2031: 7.0}


def test_fit_window_uses_only_the_years_inside_it():
    """20% growth to 2021, then 5%: fitting 2021-2024 gives exactly 5%."""
    series = {2019: 100.0, 2020: 120.0, 2021: 144.0}
    series.update({y: 144.0 * 1.05 ** (y - 2021) for y in (2022, 2023, 2024)})
    assert fit_compound_growth({y: series[y] for y in range(2021, 2025)}) == pytest.approx(0.05)
    out = project(series, [2025], "compound", fit_from=2021)
    assert out[2025] == pytest.approx(144 * 1.05**4)
    # Backtest-style window: years after fit_to are forecast even when observed.
    out = project(series, [2022], "compound", fit_from=2019, fit_to=2021)
    assert out[2022] == pytest.approx(144 * 1.2)


@given(x0=st.floats(1, 1e6), g=st.floats(-0.3, 0.5), h=st.integers(1, 15))
def test_compound_recovers_any_constant_rate(x0, g, h):
    series = geometric(x0, g)
    assert project(series, [2023 + h], "compound")[2023 + h] == pytest.approx(x0 * (1 + g) ** (4 + h), rel=1e-9)


@pytest.mark.parametrize(
    ("series", "kwargs", "says"),
    [
        ({2019: 1.0}, {"method": "linear"}, "at least 2 observed years"),
        ({2019: 1.0, 2021: 2.0}, {"method": "compound"}, "no observed value for 2020"),
        ({2019: 0.0, 2020: 2.0}, {"method": "compound"}, "positive values"),
        ({2019: 1.0, 2020: 2.0}, {"method": "cubic"}, "unknown method"),
        ({2019: 1.0, 2020: 2.0}, {"method": "flat", "fit_from": 2020, "fit_to": 2019}, "is empty"),
    ],
)
def test_projection_errors_say_what_is_wrong(series, kwargs, says):
    method = kwargs.pop("method")
    with pytest.raises(ForecastError, match=says):
        project(series, [2030], method, **kwargs)


def test_convert_and_mape_by_hand():
    """1,000 new plans x 17.4 h / 1,400 h / 0.45 = 27.619 FTE; MAPE of (110, 90) against 100 is 10%."""
    fte = convert(1000, {"hours": 17.4}, {"productive": 1400, "statutory": 0.45})
    assert fte == pytest.approx(1000 * 17.4 / 1400 / 0.45)
    assert fte == pytest.approx(27.619, abs=1e-3)
    assert mape([100, 100], [110, 90]) == pytest.approx(10)
    with pytest.raises(ForecastError):
        convert(1, divide={"zero": 0})


def test_backtest_scores_each_method_per_region():
    """A constant-growth region is forecast exactly by compound, a straight-line region by linear."""
    years = list(range(2019, 2027))
    series = pd.DataFrame(
        [[100 * 1.1 ** (y - 2019) for y in years], [200 + 10 * (y - 2019) for y in years]],
        index=["A", "B"], columns=years,
    )
    table = backtest(series, methods={"compound": {}, "linear": {}, "flat": {}})
    assert table.loc["A", "compound"] == pytest.approx(0, abs=1e-9)
    assert table.loc["B", "linear"] == pytest.approx(0, abs=1e-9)
    assert table.loc["A", "linear"] > 0
    # flat for B: forecast 240 against 250, 260, 270.
    assert table.loc["B", "flat"] == pytest.approx(100 * (10 / 250 + 20 / 260 + 30 / 270) / 3)
    assert table.loc["mean of regions", "flat"] == pytest.approx(table.loc[["A", "B"], "flat"].mean())
    assert list(table.index) == ["A", "B", "England (sum of regions)", "mean of regions"]
    with pytest.raises(ForecastError, match="no column for 2027"):
        backtest(series, test=(2024, 2027))


# --------------------------------------------------------------------------------------------
# demand_forecast in a scenario
# --------------------------------------------------------------------------------------------


def forecast_scenario(**spec):
    data = minimal_scenario()
    ep = data["roles"]["ep"]
    del ep["demand"]
    ep["demand_forecast"] = {
        "driver": {"E1": {2024: 100, 2025: 110}, "E2": {2024: 200, 2025: 200}},
        "method": "compound",
        "multiply": {"hours": 14},
        "divide": {"hours_per_fte": 1400},
        **spec,
    }
    return data


def test_demand_is_computed_from_the_spec():
    """E1 grows 10% a year from 110 in 2025: 2026 = 121 plans x 14 / 1400 = 1.21 FTE; E2 stays 2."""
    s = scenario_from_dict(forecast_scenario())
    d = prepare(s)
    assert d.demand["ep", "E1", 2026] == pytest.approx(1.21)
    assert d.demand["ep", "E1", 2028] == pytest.approx(110 * 1.1**3 / 100)
    assert d.demand["ep", "E2", 2027] == pytest.approx(2.0)
    assert s.roles["ep"].demand_forecast.method == "compound"
    # The validated scenario stays plain data: JSON works and a dump validates to the same scenario.
    json.dumps(s.model_dump(mode="json"))
    again = scenario_from_dict(s.model_dump())
    assert again.sha256() == s.sha256()


def test_offset_and_regional_ratios():
    """Offset 1: 2026 uses the 2027 projection; E1 ratio 2, E2 ratio 3 (flat driver)."""
    s = scenario_from_dict(forecast_scenario(method="flat", driver_year_offset=1, multiply={"r": {"E1": 2, "E2": 3}},
                                             divide={}))
    d = prepare(s)
    assert d.demand["ep", "E1", 2026] == pytest.approx(220)
    assert d.demand["ep", "E2", 2028] == pytest.approx(600)


def test_disagreeing_demand_and_forecast_are_refused():
    data = forecast_scenario()
    data["roles"]["ep"]["demand"] = 5
    problem = only_problem(lambda: scenario_from_dict(data))
    assert_problem(problem, key="roles.ep.demand", says="differ")


def test_spec_errors_name_the_key():
    problem = only_problem(lambda: scenario_from_dict(forecast_scenario(divide={"zero": 0})))
    assert_problem(problem, key="roles.ep.demand_forecast.divide.zero", says="must not be zero")
    problem = only_problem(lambda: scenario_from_dict(forecast_scenario(method="cubic")))
    assert_problem(problem, key="roles.ep.demand_forecast.method")
    problem = only_problem(lambda: scenario_from_dict(forecast_scenario(fit_from=2023)))
    assert_problem(problem, key="roles.ep.demand_forecast.fit_from", says="2023 is before the driver's first year 2024")
    problem = only_problem(lambda: scenario_from_dict(forecast_scenario(fit_to=2027)))
    assert_problem(problem, key="roles.ep.demand_forecast.fit_to", says="after the driver's last year 2025")
    gappy = forecast_scenario()
    gappy["roles"]["ep"]["demand_forecast"]["driver"] = {"E1": {2023: 1, 2025: 2}, "E2": {2023: 1, 2025: 2}}
    problems = problems_of(lambda: scenario_from_dict(gappy))
    assert [p.key for p in problems] == [f"roles.ep.demand_forecast.driver.{r}" for r in ("E1", "E2")]
    assert_problem(problems[0], says="no observed value for 2024 inside the fit window 2023-2025")


DRIVER_CSV = "region,2024,2025\nE1,100,110\nE9,200,200\n"


def test_driver_csv_errors_point_at_the_csv_line(tmp_path):
    text = """\
name: Forecast
horizon: {first_year: 2026, last_year: 2027}
regions: [{code: E1, name: North}, {code: E2, name: South}]
roles:
  ep:
    name: EPs
    initial_stock: 10
    attrition: 0.1
    demand_forecast:
      driver: {file: data/driver.csv}
      method: linear
      multiply: {fte_per_plan: 0.01}
    shortfall_penalty: 1
"""
    path = write_scenario(tmp_path, text, {"data/driver.csv": DRIVER_CSV})
    problem = only_problem(path)
    assert_problem(problem, file=str(tmp_path / "data/driver.csv"), line=3,
                   key="roles.ep.demand_forecast.driver.E9", says="unknown region 'E9'")
    write_scenario(tmp_path, text, {"data/driver.csv": DRIVER_CSV.replace("E9", "E2")})
    s = load_scenario(path)
    assert prepare(s).demand["ep", "E1", 2027] == pytest.approx((110 + 20) * 0.01)
    bad = text.replace("method: linear", "method: linear\n      damping: 2")
    problem = only_problem(write_scenario(tmp_path, bad))
    assert_problem(problem, file=str(path), line=12, key="roles.ep.demand_forecast.damping")


def test_baseline_demand_comes_from_its_drivers():
    """The baseline's first-year demand: 21,890 schools, 27,740 group settings, and EP FTE from EHC plans."""
    s = load_scenario("configs/england_baseline.yaml")
    d = prepare(s)
    by_role = pd.Series(d.demand).groupby(level=[0, 2]).sum()
    assert by_role["senco", 2026] == pytest.approx(21890)
    assert by_role["ey_senco", 2026] == pytest.approx(27740)
    # Calibration: 2024/25 demand equals funded posts. London: new plans 2024 (0.1416 x 99,116 in
    # January 2025 = 14,035) x 17.4 / 1,400 / share = 2,238 x 646 / 2,325 / (1 - 0.172) = 751.0 posts.
    spec = s.roles["ep"].demand_forecast
    london = spec.multiply["new_plans_per_plan"]["E12000007"] * 99116 * 17.4 / 1400
    assert london / spec.divide["statutory_share"]["E12000007"] == pytest.approx(2238 * 646 / 2325 / 0.828, rel=2e-3)
    assert 2238 < by_role["ep", 2026] < by_role["ep", 2035]


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_forecast_command_prints_the_backtest_and_the_forecast():
    from click.testing import CliRunner

    from workforce.cli.commands import main

    result = CliRunner().invoke(main, ["forecast", "--backtest", "--role", "ep"])
    assert result.exit_code == 0, result.output
    assert "| London |" in result.output and "| mean of regions |" in result.output
    assert "| region | flat | compound | linear | damped |" in result.output
    result = CliRunner().invoke(main, ["forecast", "--role", "ep"])
    assert result.exit_code == 0 and "| England |" in result.output
    result = CliRunner().invoke(main, ["forecast", "--backtest", "--role", "senco"])
    assert result.exit_code == 1
    assert "[roles.senco.demand_forecast]" in result.output and "no column for 2019" in result.output
    result = CliRunner().invoke(main, ["forecast", "--role", "nobody"])
    assert result.exit_code == 1 and "has no demand_forecast" in result.output


def test_plus_components_add_to_the_demand():
    """Group settings 10 and 20 x 1, plus childminders 40 and 60 x 0.5: 30 and 50."""
    data = forecast_scenario(method="flat", driver={"E1": 10, "E2": 20}, multiply={"per_setting": 1}, divide={},
                             plus={"childminders": {"driver": {"E1": 40, "E2": 60}, "method": "flat",
                                                    "multiply": {"share": 0.5}}})
    d = prepare(scenario_from_dict(data))
    assert (d.demand["ep", "E1", 2026], d.demand["ep", "E2", 2028]) == pytest.approx((30, 50))
    data["roles"]["ep"]["demand_forecast"]["plus"]["childminders"]["divide"] = {"zero": 0}
    assert_problem(only_problem(lambda: scenario_from_dict(data)),
                   key="roles.ep.demand_forecast.plus.childminders.divide.zero")


def test_the_childminder_option_of_the_baseline(tmp_path):
    """A variant turning the option on adds 24,990 x 0.5 childminders to the 27,740 group settings."""
    (tmp_path / "v.yaml").write_text(
        "extends: england_baseline.yaml\nroles:\n  ey_senco:\n    demand_forecast:\n      plus:\n"
        "        childminders:\n          multiply: {sencos_per_childminder: 0.5}\n")
    import shutil

    shutil.copytree("configs", tmp_path, dirs_exist_ok=True)
    d = prepare(load_scenario(tmp_path / "v.yaml"))
    total = sum(v for (k, _, t), v in d.demand.items() if k == "ey_senco" and t == 2030)
    assert total == pytest.approx(27740 + 0.5 * 24990)
