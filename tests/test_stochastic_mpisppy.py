"""Progressive hedging in mpi-sppy (stochastic.method: mpisppy, models/stochastic.md §7), in one
process: its bound never exceeds the extensive form's optimum, its plan costs at least that optimum,
and the two agree within the gap it reports."""

from __future__ import annotations

import pytest
from test_stochastic import intake_2026, newsvendor

from workforce import scenario_from_dict
from workforce.errors import ScenarioError
from workforce.studies.stochastic import Risk, stochastic_plan
from workforce.studies.stochastic.mpisppy_engine import available, cylinders

pytestmark = pytest.mark.skipif(available() is not None, reason="mpi-sppy is not installed: pip install '.[mpi]'")

TOL = 1e-6


def both(scenarios, **options):
    ef = stochastic_plan(scenarios, commit_years=1, mip_gap=0, wait_and_see=False)
    mp = stochastic_plan(scenarios, commit_years=1, mip_gap=0, wait_and_see=False, method="mpisppy",
                         target_gap=1e-3, **options)
    return ef.measures, mp.measures, mp


def capped(d27: float, places: float = 40):
    """test_stochastic.newsvendor with at most ``places`` starters (not binding at the optimum, 18)."""
    return scenario_from_dict({
        "name": f"demand {d27}", "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": {2026: 0, 2027: d27},
                         "shortfall_penalty": 3}},
        "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1,
                               "course_costs": [{"dfe": 1}], "places": places}},
        "funding_streams": {"dfe": {"name": "DfE"}}})


def check(ef, mp):
    assert mp["method"] == "mpisppy"
    assert mp["stochastic_bound"] <= ef["stochastic_objective"] + TOL
    assert mp["stochastic_objective"] >= ef["stochastic_objective"] - TOL
    assert mp["stochastic_objective"] - mp["stochastic_bound"] <= mp["gap"] * max(1, mp["stochastic_objective"]) + TOL


def test_four_scenarios_within_the_reported_gap():
    """The four-scenario case of test_stochastic_decomposition: demands 5, 12, 30, 18 (¼ each), £1k a
    starter, penalty 3, RP = 27 at q = 18 (worked there). In one process mpi-sppy's hub runs alone:
    its bound is at least the wait-and-see bound (5 + 12 + 30 + 18) / 4 = 16.25, and the incumbent
    (first stage at PH's x̄) is a feasible plan, so 16.25 ≤ bound ≤ 27 ≤ incumbent."""
    ef, mp, result = both([newsvendor(d) for d in (5, 12, 30, 18)], max_iterations=10)
    assert ef["stochastic_objective"] == pytest.approx(27)
    check(ef, mp)
    assert mp["stochastic_bound"] >= 16.25 - TOL
    assert "proven lower bound" in result.summary_text()


def test_capped_intake_gives_a_lagrangian_bound_above_wait_and_see():
    """With at most 40 starters every Lagrangian subproblem is bounded, so mpi-sppy's bound at the hub's
    last multipliers (post_solve_bound) is finite and, after 10 PH iterations, above the wait-and-see
    bound 16.25; the optimum is unchanged (the cap is not binding at q = 18): 27."""
    ef, mp, result = both([capped(d) for d in (5, 12, 30, 18)], max_iterations=10)
    assert ef["stochastic_objective"] == pytest.approx(27)
    check(ef, mp)
    assert mp["stochastic_bound"] > 16.25 + 1
    assert mp["gap"] < 0.2
    assert intake_2026(result) == pytest.approx(18, abs=1.5)


def test_risk_is_refused():
    with pytest.raises(ScenarioError, match="method: extensive"):
        stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, risk=Risk(0.9, 1.0), method="mpisppy")


@pytest.mark.parametrize(("ranks", "expected"), [(1, 1), (2, 2), (3, 3), (4, 2), (5, 1), (6, 3), (9, 3)])
def test_ranks_divide_among_cylinders(ranks, expected):
    assert cylinders(ranks) == expected


def test_mpisppy_writes_no_log_file_into_the_users_folder(tmp_path):
    """mpi-sppy's cylinder modules open hub.log, xhateval.log and others in the current folder when
    they are imported (mode "w": a user's file of that name was emptied). Run in a fresh process from
    a folder holding a user's hub.log: the file is untouched and nothing is added."""
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    (tmp_path / "hub.log").write_text("the user's own log\n")
    code = (f"import sys; sys.path.insert(0, {str(tests)!r})\n"
            "from test_stochastic import newsvendor\n"
            "from workforce.studies.stochastic import stochastic_plan\n"
            "stochastic_plan([newsvendor(d) for d in (5, 30)], commit_years=1, mip_gap=0, wait_and_see=False,\n"
            "                method='mpisppy', target_gap=1e-3, max_iterations=2)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.log"]
    assert (tmp_path / "hub.log").read_text() == "the user's own log\n"


def test_mpiexec_with_a_method_that_runs_in_one_process_is_refused(monkeypatch, tmp_path):
    """`mpiexec -n 2 workforce stochastic` on a study whose method is not mpisppy would solve the whole
    study on each rank and write the same folder twice: refused before anything is solved or written."""
    from pathlib import Path

    from click.testing import CliRunner

    from workforce.cli.commands import main

    study = Path(__file__).resolve().parents[1] / "configs" / "studies" / "stochastic" / "ep_places.yaml"
    monkeypatch.setenv("PMI_SIZE", "2")  # what MPICH's mpiexec sets in each rank
    result = CliRunner().invoke(main, ["stochastic", str(study), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "stochastic.method is 'extensive'" in result.output and "mpiexec started 2" in result.output
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("PMI_SIZE", "1")
    from workforce.cli.stochastic import mpi_ranks

    assert mpi_ranks() == 1
