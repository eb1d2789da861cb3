"""The backcast runs the planner's own stock-flow model over past years; checked by hand arithmetic."""

from __future__ import annotations

import dataclasses

import pytest

from workforce.studies.backcast import (
    EP_OBSERVATIONS,
    History,
    Observation,
    backcast,
    ep_funded_intakes,
    implied_attrition,
)

TINY = History(start_year=2020, end_year=2022, start_stock=100, intakes={2019: 10, 2020: 20, 2021: 0, 2022: 0},
               duration=1, completion_rate=0.5, attrition_new=None)


def test_tiny_history_by_hand():
    """a = 0.1, one-year course, half complete.

    2020: 100 - 10 + 0.5 x 10 (2019 starters) = 95
    2021: 95 - 0.1 x 95 + 0.5 x 20 = 95.5
    2022: 95.5 - 0.1 x 95.5 + 0 = 85.95
    """
    flows = backcast(0.1, TINY)
    assert flows["stock_end"].tolist() == pytest.approx([95, 95.5, 85.95])
    assert flows.loc[2021, "completions"] == pytest.approx(10)


def test_first_year_attrition_of_entrants():
    """With a_new = 0: 2021 leavers = 0.1 x (95 - 5 entrants of 2020) = 9, so 2021 ends at 96."""
    flows = backcast(0.1, dataclasses.replace(TINY, attrition_new=0.0))
    assert flows.loc[2021, "stock_end"] == pytest.approx(95 - 9 + 10)


def test_implied_attrition_recovers_the_rate_that_made_the_target():
    target = Observation(2022, float(backcast(0.07, TINY).loc[2022, "stock_end"]), "made at 7%")
    assert implied_attrition(target, TINY, tol=1e-4) == pytest.approx(0.07, abs=2e-4)
    with pytest.raises(ValueError, match="even with no attrition"):
        implied_attrition(Observation(2022, 1e6, "unreachable"), TINY)


def test_ep_history_first_year_and_intakes():
    """2015/16 at 9%: 1,650 - 148.5 + 0.9 x 160 = 1,645.5; 2020 starters (206) join in 2023."""
    assert ep_funded_intakes()[2019] == 160 and ep_funded_intakes()[2020] == 206 and ep_funded_intakes()[2023] == 200
    flows = backcast(0.09)
    assert flows.loc[2015, "stock_end"] == pytest.approx(1645.5)
    assert flows.loc[2023, "completions"] == pytest.approx(0.9 * 206)
    assert EP_OBSERVATIONS[1].value == 2238
