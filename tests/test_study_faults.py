"""Study fault corpus: sweeps and Monte Carlo studies under careless study files, damaged folders,
interruptions and broken schedulers. Each case was a wrong result, a hang or a crash before
(issue 21); the slow ones (200 points killed and resumed) live in benchmarks/study_kill_resume.py.

The tie scenario: two identical regions share one budget of B (£k) a year at £1k a start, for
2026 and 2027; a start qualifies at once and stays. Each region's demand is 10 and a unit short
costs 100 a year. Starting early is worth two years, so the plan starts s1 = min(B, 20) in 2026 and
s2 = min(B, 20 − s1) in 2027; objective 100·((20 − s1) + (20 − s1 − s2)) + s1 + s2 (B = 4: 2808).
Every split of those starts between the regions is optimal, so a solver that starts from
different states can return different splits: the plan a point gets must not depend on that.
"""

from __future__ import annotations

import copy
import shutil

import pandas as pd
import pytest
import yaml

from tests.test_sweep import HAND, MC
from workforce import scenario_from_dict
from workforce.errors import ScenarioError
from workforce.studies.sweep import sweep

TIE = {
    "name": "tie",
    "horizon": {"first_year": 2026, "last_year": 2027},
    "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": 10, "shortfall_penalty": 100}},
    "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1,
                              "course_costs": [{"f": 1}]}},
    "funding_streams": {"f": {"name": "Fund", "budget": 4}},
}
TIE_VALUES = [1, 2, 3, 5, 0.5, 7, 0.25, 1.5]


def tie_grid(values=TIE_VALUES):
    return {"name": "tie", "scenario": "tie.yaml",
            "grid": {"parameters": {"b": {"path": "funding_streams.f.budget", "op": "scale", "values": values}}}}


@pytest.fixture
def tie():
    return scenario_from_dict(copy.deepcopy(TIE))


def _tables(result):
    """Per-point results with the timings left out (they are the only thing allowed to differ)."""
    return result.results(), result.points.drop(columns=["seconds"])


def test_a_points_plan_does_not_depend_on_workers_order_or_resuming(tie, tmp_path):
    """Objectives as in the module docstring with B = 4·scale; the regional splits, which are
    ties, must be the same however the points were scheduled."""
    serial = sweep(tie_grid(), scenario=tie, out=tmp_path / "serial", workers=1, progress=False)
    for point, scale in enumerate(TIE_VALUES):
        s1 = min(4 * scale, 20)
        s2 = min(4 * scale, 20 - s1)
        assert serial.points.loc[point, "objective"] == pytest.approx(100 * ((20 - s1) + (20 - s1 - s2)) + s1 + s2)
    results, points = _tables(serial)
    one_chunk_each = sweep(tie_grid(), scenario=tie, out=tmp_path / "small", workers=1, progress=False,
                           chunks_per_worker=len(TIE_VALUES))
    pooled = sweep(tie_grid(), scenario=tie, out=tmp_path / "pool", workers=2, progress=False)
    for other in (one_chunk_each, pooled):
        pd.testing.assert_frame_equal(_tables(other)[0], results, check_exact=True)
    resumed_out = tmp_path / "resumed"
    shutil.copytree(tmp_path / "serial", resumed_out)
    for point in (0, 2, 3, 6):  # as if killed before these were written
        shutil.rmtree(resumed_out / "results" / f"point={point:06d}")
    resumed = sweep(tie_grid(), scenario=tie, out=resumed_out, workers=1, progress=False)
    assert resumed.skipped == 4
    pd.testing.assert_frame_equal(_tables(resumed)[0], results, check_exact=True)
    # the same budgets in another order: each budget's plan is the same as before
    order = list(reversed(TIE_VALUES))
    backwards = sweep(tie_grid(order), scenario=tie, out=tmp_path / "backwards", workers=1, progress=False)
    flipped = backwards.results()
    flipped["point"] = len(order) - 1 - flipped["point"]
    flipped = flipped.sort_values(["point"], kind="stable").reset_index(drop=True)
    by_point = results.sort_values(["point", "measure", "item", "region", "year"]).reset_index(drop=True)
    flipped = flipped.sort_values(["point", "measure", "item", "region", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(flipped, by_point, check_exact=True)


def _evaluate(tmp_path, plan_csv):
    (tmp_path / "intake.csv").write_text(plan_csv)
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    spec = copy.deepcopy(MC)
    spec["montecarlo"].update(mode="evaluate", plan="intake.csv", draws=3)
    (tmp_path / "mc.yaml").write_text(yaml.safe_dump(spec))
    return sweep(tmp_path / "mc.yaml", out=tmp_path / "out", workers=1, progress=False)


@pytest.mark.parametrize(("row", "says"), [
    ("courze,A,2026,3.5", "programme 'courze' is not in the scenario (did you mean 'course'?)"),
    ("course,B,2026,3.5", "region 'B' is not in the scenario"),
    ("course,A,2031,3.5", "year '2031' is outside the scenario's horizon 2026-2026"),
    ("course,A,2026,-1", "intake '-1' is not a number of starters"),
    ("course,A,2026,lots", "intake 'lots' is not a number of starters"),
], ids=["programme", "region", "year", "negative", "text"])
def test_an_evaluate_plan_that_does_not_match_the_scenario_is_refused(tmp_path, row, says):
    """It used to be evaluated as zero intake for the rows it could not place (exit 0)."""
    with pytest.raises(ScenarioError) as info:
        _evaluate(tmp_path, f"programme,region,year,intake\ncourse,A,2026,1\n{row}\n")
    problem = info.value.problems[0]
    assert (problem.file, problem.line) == (str(tmp_path / "intake.csv"), 3)
    assert says in problem.message
    assert not (tmp_path / "out").exists()


def test_an_evaluate_plan_with_a_repeated_row_or_no_intake_column_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match=r"intake.csv:3: a second row for course A 2026 \(also on line 2\)"):
        _evaluate(tmp_path, "programme,region,year,intake\ncourse,A,2026,1\ncourse,A,2026,2\n")
    with pytest.raises(ScenarioError, match=r"intake.csv:1: the plan needs columns .* missing intake"):
        _evaluate(tmp_path, "programme,region,year,starters\ncourse,A,2026,1\n")


# ------------------------------------------------------------------------------ study files

def _load(tmp_path, text):
    from workforce.studies.spec import load_study

    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_study(path)
    return path, info.value.problems[0]


GRID_HEAD = "name: x\nscenario: s.yaml\ngrid:\n  parameters:\n"
MC_HEAD = "name: x\nscenario: s.yaml\nmontecarlo:\n  draws: 3\n  seed: 1\n  parameters:\n"


@pytest.mark.parametrize(("text", "line", "key", "says"), [
    (GRID_HEAD + "    a: {path: funding_streams.f.budget, values: [1]}\n"
     "    status: {path: roles.ep.attrition, values: [0.1]}\n", 6, "grid.parameters.status",
     "parameter name 'status' is reserved"),
    (GRID_HEAD + "    Objective: {path: roles.ep.attrition, values: [0.1]}\n", 5, "grid.parameters.Objective",
     "reserved for a result column"),
    (GRID_HEAD + "    a: {path: funding_streams.f.budget, values: [1]}\n"
     "    b: {path: funding_streams.f.budget, op: scale, values: [2]}\n", 6, "grid.parameters.b",
     "parameters 'a' and 'b' both move the same value"),
    (GRID_HEAD + "    a: {path: funding_streams.f, op: scale, values: [1]}\n"
     "    b: {path: funding_streams.f.budget, values: [2]}\n", 6, "grid.parameters.b",
     "both move overlapping values (funding_streams.f and funding_streams.f.budget)"),
    (MC_HEAD + "    a: {path: x.y, distribution: normal, mean: 1, sd: 0.1, low: 5, high: 6}\n", 7,
     "montecarlo.parameters.a", "has no probability between low (5.0) and high (6.0)"),
    (MC_HEAD + "    a: {path: x.y, distribution: normal, mean: 1, sd: 0.1, low: 1, high: 1}\n", 7,
     "montecarlo.parameters.a", "has no probability between low (1.0) and high (1.0)"),
    (MC_HEAD + "    a: {path: x.y, distribution: lognormal, median: 1, sigma: 0.1, low: -2, high: 0}\n", 7,
     "montecarlo.parameters.a", "has no probability between"),
    (MC_HEAD + "    a: {path: x.y, distribution: uniform, mean: 1, sd: 0.1}\n", 7,
     "montecarlo.parameters.a", "a uniform distribution needs low, high"),
    (MC_HEAD + "    a: {path: x.y, distribution: uniform, low: 0, high: 1, mean: 1, sd: 0.1}\n", 7,
     "montecarlo.parameters.a", "a uniform distribution takes low, high, not mean, sd"),
    (MC_HEAD + "    a: {path: x.y, distribution: normal, mean: 1, sd: 0}\n", 7,
     "montecarlo.parameters.a.sd", "greater than 0"),
    (MC_HEAD + "    a: {path: x.y, distribution: normal, mean: 1, sd: 1, values: [1, 2]}\n", 7,
     "montecarlo.parameters.a", "takes a distribution, not values"),
], ids=["reserved-status", "reserved-any-case", "same-value", "overlapping-values", "no-room", "low-high-mean",
        "lognormal-below-zero", "uniform-mean-sd", "uniform-extra-fields", "zero-sd", "values-in-mc"])
def test_careless_study_files_are_refused_at_the_parameters_line(tmp_path, text, line, key, says):
    """Each of these used to be accepted: a crash after solving (reserved names), a silent
    override (two parameters on one value), a draw that never ends (no room between bounds), or
    fields ignored (uniform with mean and sd)."""
    path, problem = _load(tmp_path, text)
    assert (problem.file, problem.line, problem.key) == (str(path), line, key)
    assert says in problem.message


def test_truncated_draws_stay_inside_narrow_but_possible_bounds():
    """A narrow window far into the tail (about 0.2% of the mass) is drawn, not refused or hung."""
    from workforce.studies.spec import points, study_from_dict

    spec = study_from_dict({"name": "x", "scenario": "s", "montecarlo": {"draws": 200, "seed": 3, "parameters": {
        "a": {"path": "x.y", "distribution": "normal", "mean": 0, "sd": 1, "low": 2.9, "high": 4}}}})
    assert points(spec)["a"].between(2.9, 4).all()


def test_formula_like_parameter_names_are_neutralised_in_points_csv(tmp_path):
    """points.csv is opened in spreadsheets: a header cell '=HYPERLINK(...)' would run."""
    from tests.test_sweep import GRID

    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"] = {'=HYPERLINK("http://x")': grid["grid"]["parameters"]["budget"]}
    result = sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "s", workers=1,
                   progress=False)
    header = (tmp_path / "s" / "points.csv").read_text().splitlines()[0]
    assert header.startswith('point,"\'=HYPERLINK(""http://x"")"')
    assert '=HYPERLINK("http://x")' in result.points.columns  # the table in Python keeps the name


# ------------------------------------------------------------------------------ compare

def _hand_plan(name, **changes):
    """The hand scenario without its minimum intake: budget 4 starts 4, so 6 short each year."""
    from workforce import solve

    spec = copy.deepcopy(HAND)
    spec["name"] = name
    del spec["programmes"]["course"]["intake_min"]
    for key, value in changes.items():
        spec[key] = value
    return solve(scenario_from_dict(spec))


def test_compare_leaves_a_region_one_scenario_lacks_absent_not_zero(tmp_path):
    """The second scenario adds region B with no demand (0 short; all 4 starts go to A). Region
    B's shortfall is 0 in the second and absent (NaN, blank in results.csv) in the first, where
    it used to read 0 too, as if the first scenario planned region B."""
    from workforce.studies.compare import compare, comparison_text

    two = copy.deepcopy(HAND["regions"]) + [{"code": "B", "name": "Area B"}]
    roles = copy.deepcopy(HAND["roles"])
    roles["ep"]["demand"] = {"A": 10, "B": 0}
    c = compare({"one": _hand_plan("one"), "two": _hand_plan("two", regions=two, roles=roles)})
    row = c.results.loc[("shortfall", "ep", "B")]
    assert pd.isna(row["one"]) and row["two"] == pytest.approx(0)
    assert c.results.loc[("shortfall", "ep", "A")].tolist() == pytest.approx([6, 6])
    assert "absent" in comparison_text(c) and "shortfall of EPs (people) in Area B" in " ".join(c.notes)  # names, not ids
    c.to_csv(tmp_path)
    line = next(ln for ln in (tmp_path / "results.csv").read_text().splitlines() if ln.startswith("shortfall,ep,B"))
    assert line == "shortfall,ep,B,,0"
    assert "absent" in repr(c)


def test_compare_leaves_a_role_one_scenario_lacks_absent_not_zero(tmp_path):
    """The second scenario adds a role 'senco' (no stock, no programme, demand 5): 5 short in
    2026. In the first scenario, which has no such role, its shortfall is absent (blank in
    results.csv), not 0; the EPs are 6 short in both (budget 4 buys 4 starters of the 10)."""
    from workforce.studies.compare import compare

    roles = copy.deepcopy(HAND["roles"])
    roles["senco"] = {"name": "SENCOs", "initial_stock": 0, "attrition": 0, "demand": 5, "shortfall_penalty": 100}
    c = compare({"one": _hand_plan("one"), "two": _hand_plan("two", roles=roles)})
    row = c.results.loc[("shortfall", "senco", "A")]
    assert pd.isna(row["one"]) and row["two"] == pytest.approx(5)
    assert c.results.loc[("shortfall", "ep", "A")].tolist() == pytest.approx([6, 6])
    assert "shortfall of SENCOs" in " ".join(c.notes)
    c.to_csv(tmp_path)
    lines = (tmp_path / "results.csv").read_text().splitlines()
    assert next(ln for ln in lines if ln.startswith("shortfall,senco,A")) == "shortfall,senco,A,,5"


def test_compare_of_unequal_horizons_uses_the_common_years_and_says_so():
    """Budget 4 a year, demand 10, one region: 2026 alone is 6 short and spends 4; over
    2026-2027 the plan may start 4 in each year (2026 short 6, 2027 short 2). On the common year
    2026 both are 6 short and spend 4 whatever their other years."""
    from workforce.errors import WorkforceError
    from workforce.studies.compare import compare, comparison_text

    short = _hand_plan("short")
    long = _hand_plan("long", horizon={"first_year": 2026, "last_year": 2027})
    c = compare({"short": short, "long": long})
    assert c.period == "common years 2026-2026"
    assert c.results.loc[("shortfall", "ep", "A")].tolist() == pytest.approx([6, 6])
    assert c.results.loc[("spend", "f", "")].tolist() == pytest.approx([4, 4])
    assert "objective" not in c.results.index.get_level_values("measure")
    assert "the horizons differ (short 2026-2026; long 2026-2027)" in comparison_text(c)
    later = _hand_plan("later", horizon={"first_year": 2027, "last_year": 2027})
    with pytest.raises(WorkforceError, match="no year in common"):
        compare({"short": short, "later": later})


# ------------------------------------------------------------------------------ time limits

def test_a_time_limit_that_stops_highs_before_any_plan_behaves_alike_in_run_and_study():
    """One region, demand 25, cohorts of 8-10 at £30k each (tests/test_cohorts.py): 3 cohorts,
    objective 25 + 90 = 115; at demand 20 two full cohorts, 20 + 60 = 80. A limit of 1e-9 s
    stops HiGHS before any plan; the run used to rescue it silently and a study failed every
    point. Both now rescue it and say how long the rescue ran beyond the limit."""
    from tests.test_cohorts import one_region
    from workforce import solve
    from workforce.output.display import plan_warnings
    from workforce.output.report import summary_text

    spec = one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})
    plan = solve(scenario_from_dict(copy.deepcopy(spec)), time_limit=1e-9)
    assert plan.objective == pytest.approx(115)
    assert "stopped HiGHS before it had any whole-cohort plan" in summary_text(plan)
    assert "beyond the limit" in " ".join(plan_warnings(plan))


def test_a_study_time_limit_rescues_each_point_like_a_run(tmp_path):
    """The same limit in a study: every point rescued (it used to fail every point)."""
    from tests.test_cohorts import one_region

    spec = one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})
    study = {"name": "tl", "scenario": "x.yaml", "time_limit": 1e-9,
             "grid": {"parameters": {"d": {"path": "roles.ep.demand", "op": "scale", "values": [1, 0.8]}}}}
    result = sweep(study, scenario=scenario_from_dict(copy.deepcopy(spec)), out=tmp_path / "s", workers=1,
                   progress=False)
    p = result.points
    assert list(p["status"]) == ["ok", "ok"], p.get("error")
    assert p["objective"].tolist() == pytest.approx([115, 80])
    assert (p["rescue_seconds"] > 0).all()


# ------------------------------------------------------------------------------ Dask schedulers
# Only 127.0.0.1 is ever contacted: each server below is started by the test itself.

@pytest.fixture
def local_server():
    """Start a TCP server on 127.0.0.1 that accepts and then stays silent ("silent") or answers
    like a web server ("http"); yields a function that returns its address."""
    import socket
    import threading

    servers, stop = [], threading.Event()

    def start(mode):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.settimeout(0.2)
        servers.append(sock)

        def serve():
            held = []
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                held.append(conn)
                if mode == "http":
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 20)
            for conn in held:
                conn.close()

        threading.Thread(target=serve, daemon=True).start()
        return f"tcp://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    stop.set()
    for sock in servers:
        sock.close()


def _cli_sweep(tmp_path, *extra):
    from click.testing import CliRunner

    from tests.test_sweep import GRID
    from workforce.cli.commands import main

    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(GRID))
    return CliRunner().invoke(main, ["sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "out"), *extra])


@pytest.mark.parametrize(("kind", "says"), [
    ("silent", "did not answer within 1 s"),
    ("http", "is not a Dask scheduler"),
], ids=["accepts-and-never-answers", "not-dask"])
def test_a_scheduler_that_never_answers_or_is_not_dask_fails_within_the_timeout(tmp_path, local_server, kind, says):
    """The first used to hang however long Client's own timeout; the second failed with a
    3 EiB allocation error."""
    pytest.importorskip("distributed")
    address = local_server(kind)
    result = _cli_sweep(tmp_path, "--scheduler", address, "--scheduler-timeout", "1")
    assert result.exit_code == 1, result.output
    assert says in result.output and address in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("address", "says"), [
    ("10.0.0.5", "is not a scheduler address: give tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786"),
    ("inproc://x", "inproc:// schedulers are not supported"),
    ("tls://127.0.0.1:1", "a tls:// scheduler needs the client's certificates"),
    ("tcp://127.0.0.1:70000", "port 70000 is not between 1 and 65535"),
], ids=["no-scheme-no-port", "inproc", "tls-without-certificates", "bad-port"])
def test_malformed_or_unsupported_scheduler_addresses_are_refused_before_connecting(tmp_path, address, says):
    pytest.importorskip("distributed")
    result = _cli_sweep(tmp_path, "--scheduler", address)
    assert result.exit_code == 1, result.output
    assert says in result.output


def test_a_scheduler_without_workers_is_reported_within_the_timeout(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = _cli_sweep(tmp_path, "--scheduler", cluster.scheduler_address, "--scheduler-timeout", "1")
    assert result.exit_code == 1, result.output
    assert "has no workers (none joined within 1 s)" in result.output


# ------------------------------------------------------------------------------ resuming

def test_damaged_partitions_are_detected_on_resume_set_aside_and_solved_again(tie, tmp_path):
    """A partition truncated, emptied or with its file deleted used to block every resume (the
    dataset could not be read); now each is set aside in damaged/, its point solved again, and
    the summary says so. The final results equal an undisturbed run's."""
    clean = sweep(tie_grid(), scenario=tie, out=tmp_path / "clean", workers=1, progress=False)
    out = tmp_path / "hurt"
    sweep(tie_grid(), scenario=tie, out=out, workers=1, progress=False)
    def part(point):
        return out / "results" / f"point={point:06d}" / "part-0.parquet"

    data = part(1).read_bytes()
    part(1).write_bytes(data[: len(data) // 2])  # truncated
    part(3).write_bytes(b"")  # emptied
    part(5).unlink()  # file deleted, folder kept
    resumed = sweep(tie_grid(), scenario=tie, out=out, workers=1, progress=False)
    assert resumed.damaged == [1, 3, 5] and resumed.skipped == len(TIE_VALUES) - 3
    assert "3 damaged partition(s) from the earlier run (points 1, 3, 5)" in resumed.summary()
    assert sorted(p.name for p in (out / "damaged").iterdir()) == ["point=000001", "point=000003", "point=000005"]
    pd.testing.assert_frame_equal(resumed.results(), clean.results(), check_exact=True)
    assert list(resumed.points["status"]) == ["ok"] * len(TIE_VALUES)
    again = sweep(tie_grid(), scenario=tie, out=out, workers=1, progress=False)
    assert again.damaged == [] and again.skipped == len(TIE_VALUES)


# ------------------------------------------------------------------------------ kill -9

def _session(sid):
    """Live (not zombie) processes of session ``sid``: the study's process and its workers."""
    import os

    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            if os.getsid(int(entry)) == sid and stat.rsplit(")", 1)[1].split()[0] != "Z":
                alive.append(int(entry))
        except OSError:
            continue
    return alive


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_the_study_process_on_kill_9(tmp_path):
    """kill -9 of `sweep --workers 2` used to leave the forkserver, both workers and the
    resource tracker running. A long grid keeps the workers busy when the parent is killed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.test_sweep import GRID

    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"] = {"path": "funding_streams.f.budget", "op": "scale", "low": 1, "high": 3,
                                            "steps": 20000}
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(grid))
    script = os.path.join(os.path.dirname(sys.executable), "workforce")
    proc = subprocess.Popen([script, "sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "out"),
                             "--workers", "2"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_session(proc.pid)) < 4 and time.monotonic() < deadline:  # study, tracker, 2 workers
            time.sleep(0.1)
        assert len(_session(proc.pid)) >= 4, "the workers did not start"
        time.sleep(1.0)  # the workers are solving
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # A worker still importing when the parent dies ends when its initializer runs; on a loaded
        # machine (xdist workers beside other jobs) that took more than 10 s once, so allow 60.
        deadline = time.monotonic() + 60
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session(proc.pid) == []
    finally:
        for pid in _session(proc.pid):  # only processes this test started
            os.kill(pid, signal.SIGKILL)


# ------------------------------------------------------------------------------ many streams

@pytest.fixture(scope="module")
def many_streams():
    """Stream s_i (i < 300) has a budget of i + 1 (£k) and is the only payer of course c_i (£1k a
    starter, duration 0, demand far above what money buys), so course c_i starts i + 1 in 2026."""
    from workforce import solve

    n = 300
    spec = copy.deepcopy(HAND)
    spec["roles"]["ep"]["demand"] = 1e6
    spec["funding_streams"] = {f"s{i}": {"name": f"Stream {i}", "budget": i + 1} for i in range(n)}
    spec["programmes"] = {f"c{i}": {"name": f"Course {i}", "role": "ep", "duration": 0, "completion_rate": 1,
                                    "course_costs": [{f"s{i}": 1}]} for i in range(n)}
    return solve(scenario_from_dict(spec))


def test_a_plan_with_hundreds_of_funding_streams_is_charted_as_the_largest_plus_other(many_streams):
    """2,000 streams used to give 2,000 panels (530 s, 2.8 GB, 246 inches tall). Each stream
    spends its whole budget: the 7 largest are s299 ... s293 and "other" holds the 293 others,
    which spend 1 + 2 + ... + 293 = 43,071 a year. The 300 courses become the 11 largest and
    "Other spending (289 items)". (2,000 streams: benchmarks/plot_many_streams.py.)"""
    from workforce.plan.tables import plan_tables
    from workforce.plots.spend import MAX_ITEMS, MAX_PANELS, spend
    from workforce.plots.top_streams import largest_items, largest_streams

    plan = many_streams
    t = largest_streams(plan_tables(plan), MAX_PANELS)
    assert t.streams == [f"s{i}" for i in range(299, 292, -1)] + ["other"]
    assert t.labels.streams["other"] == "Other 293 funding streams, combined"
    assert t.spend.loc[("other", 2026), "spent"] == pytest.approx(293 * 294 / 2)
    assert t.spend.loc[("other", 2026), "budget"] == pytest.approx(293 * 294 / 2)
    assert t.spend["spent"].sum() == pytest.approx(plan_tables(plan).spend["spent"].sum())
    items = largest_items(t, MAX_ITEMS).spend_detail
    assert set(items.index.get_level_values("item")) == {f"c{i}" for i in range(299, 288, -1)} | {
        "Other spending (289 items)"}
    assert items["spent"].sum() == pytest.approx(t.spend_detail["spent"].sum())
    fig = spend(plan)
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(panels) == MAX_PANELS
    assert panels[-1].get_title(loc="left").startswith("Other 293 funding streams, combined")
    assert fig.get_size_inches()[1] < 12


def test_a_plan_with_hundreds_of_programmes_draws_the_cohort_chart_for_the_largest_that_fit(many_streams):
    """The cohort chart has a heading and a row per cohort for each programme: 0.17 x (1 + 1.5)
    = 0.425 inches each here (one start year), so 300 programmes drew it 129 inches tall (in
    about a minute). It now keeps the programmes with the most starters while they fit 14 inches:
    1.4 + 29 x 0.425 = 13.725 <= 14 < 1.4 + 30 x 0.425, so courses 299 ... 271 (300 ... 272
    starters), and says so. Named programmes are drawn as asked."""
    from workforce.plots.cohorts import cohort_gantt

    fig = cohort_gantt(many_streams)
    assert fig.get_size_inches()[1] == pytest.approx(13.725)
    ax = fig.axes[0]
    headings = {t.get_text() for t in ax.texts if t.get_fontweight() == "bold"}
    assert headings == {f"Course {i}" for i in range(271, 300)}
    assert "Shown: the 29 of 300 programmes with the most starters" in " ".join(t.get_text() for t in fig.texts)
    asked = cohort_gantt(many_streams, programmes=["c0", "c1"])
    assert {t.get_text() for t in asked.axes[0].texts if t.get_fontweight() == "bold"} == {"Course 0", "Course 1"}
    assert "Shown:" not in " ".join(t.get_text() for t in asked.texts)


# ------------------------------------------------------------------------------ messages

def test_a_lever_path_missing_from_the_scenario_is_located_in_the_study_file(tmp_path):
    """It used to be reported at `<scenario>`, with no file or line."""
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "s.yaml").write_text("name: x\nscenario: hand.yaml\ngrid:\n  parameters:\n"
                                     "    b:\n      path: funding_streams.f.budgte\n      values: [1]\n")
    with pytest.raises(ScenarioError) as info:
        sweep(tmp_path / "s.yaml", out=tmp_path / "out", workers=1, progress=False)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.key) == (str(tmp_path / "s.yaml"), 6, "grid.parameters.b.path")
    assert "did you mean 'budget'" in problem.message


def test_montecarlo_draws_0_is_an_input_error_with_exit_1(tmp_path):
    """Click's range check gave exit 2, which the README reserves for infeasible scenarios."""
    from click.testing import CliRunner

    from workforce.cli.commands import main

    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "mc.yaml").write_text(yaml.safe_dump(MC))
    result = CliRunner().invoke(main, ["montecarlo", str(tmp_path / "mc.yaml"), "--draws", "0",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "--draws 0: the number of draws must be from 1" in result.output
    assert not (tmp_path / "out").exists()


def test_a_point_stopped_by_the_time_limit_gives_study_advice_not_run_options():
    """The study commands have no --time-limit: a failed point must point at the study's time_limit."""
    import importlib
    import inspect

    from workforce.studies.sweep import _RUN_ADVICE, point_message

    source = inspect.getsource(importlib.import_module("workforce.solver.core"))
    assert all(words.split(" (")[0] in source for words in _RUN_ADVICE)  # the advice still reads so
    text = ("HiGHS stopped (Time limit reached) after 0.01 s without a feasible plan (time limit 0.01 s); nothing "
            "was written. Raise the limit (--time-limit, or solver.time_limit in the scenario), or make the "
            "scenario smaller (fewer regions, years or programmes)")
    message = point_message(text)
    assert "--time-limit" not in message and "nothing was written" not in message
    assert "Raise the study's time_limit (seconds per point) or make the scenario smaller" in message


def test_plot_of_a_parquet_only_run_says_how_to_get_the_tables(tmp_path):
    """It used to say only that intake.csv is missing, as if the folder were not a run."""
    pytest.importorskip("pyarrow")
    from click.testing import CliRunner

    from workforce.cli.commands import main

    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    run = CliRunner().invoke(main, ["run", str(tmp_path / "hand.yaml"), "--out", str(tmp_path / "run"),
                                    "--format", "parquet"])
    assert run.exit_code == 0, run.output
    result = CliRunner().invoke(main, ["plot", str(tmp_path / "run")])
    assert result.exit_code == 1, result.output
    assert "written without CSV (intake.parquet instead)" in result.output
    assert "--format csv" in result.output


def _with_region_table(tmp_path, demand_csv):
    import unicodedata

    from workforce import load_scenario

    spec = copy.deepcopy(HAND)
    spec["regions"] = [{"code": "E12000007", "name": unicodedata.normalize("NFC", "Île-de-France")},
                       {"code": "E12000001", "name": "North East"}]
    spec["roles"]["ep"]["demand"] = {"file": "demand.csv"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    (tmp_path / "demand.csv").write_text(demand_csv, encoding="utf-8")
    return load_scenario(tmp_path / "s.yaml")


def test_a_region_name_in_decomposed_unicode_matches_its_composed_twin(tmp_path):
    """A CSV exported from a Mac writes 'Î' as 'I' + U+0302; it used to be an unknown region
    "(did you mean 'Île-de-France'?)" naming what looks like the same text."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Île-de-France")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    from workforce import prepare

    scenario = _with_region_table(tmp_path, f"region,value\n{decomposed},7\nNorth East,3\n")
    demand = prepare(scenario).demand
    assert demand[("ep", "E12000007", 2026)] == 7 and demand[("ep", "E12000001", 2026)] == 3


def test_a_region_code_with_a_look_alike_letter_is_flagged(tmp_path):
    """'Е12000001' with a Cyrillic Е looks exactly like the code E12000001."""
    with pytest.raises(ScenarioError) as info:
        _with_region_table(tmp_path, "region,value\nE12000007,7\n\u041512000001,3\n")
    text = str(info.value)
    assert "it looks like 'E12000001' but contains U+0415 CYRILLIC CAPITAL LETTER IE" in text


def test_a_warm_milp_point_after_another_is_as_good_as_a_cold_solve():
    """On the England baseline (whole EP cohorts: a MILP), the EP budget at 103% re-solved warm
    right after 100% used to come back 'optimal' at the 100% plan's objective (3,638,714.8),
    0.85% above the true optimum a cold solve finds (3,607,684.0). Each point now starts from
    the same cleared state, so it gets the cold solve's optimum."""
    from workforce import load_scenario, solve
    from workforce.solver.levers import Lever, scenario_with
    from workforce.solver.warm import WarmModel

    base = load_scenario("configs/england_baseline.yaml")
    levers = {"b": Lever("b", ("funding_streams", "dfe_ep", "budget"), "scale")}
    model = WarmModel(base)
    model.solve_point({"b": 1.0}, levers, validate=False)
    warm, _, note = model.solve_point({"b": 1.03}, levers, validate=False)
    assert note["how"] == "in place"
    cold = solve(scenario_with(base.model_dump(), {"b": 1.03}, levers, "cold"))
    assert warm.objective == pytest.approx(cold.objective, rel=1e-6)


def test_an_infeasible_point_locates_its_limits_in_the_scenario_file(tmp_path):
    """Budget 2 cannot pay for the 3 minimum starters (tests/test_sweep.py). The explanation used
    to locate the limits at the scenario's name ('(hand)'); it now gives the file and line where
    each limit is written (the budget on line 3 of hand.yaml, the minimum intake on line 15)."""
    from tests.test_sweep import GRID

    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    assert (tmp_path / "hand.yaml").read_text().splitlines()[2].strip() == "budget: 4"
    assert (tmp_path / "hand.yaml").read_text().splitlines()[14].strip() == "intake_min: 3"
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(GRID))
    result = sweep(tmp_path / "grid.yaml", out=tmp_path / "out", workers=1, progress=False)
    error = result.points.loc[0, "error"]
    assert f"({tmp_path / 'hand.yaml'}:15)" in error and f"({tmp_path / 'hand.yaml'}:3)" in error


def test_a_study_on_an_infeasible_base_locates_its_limits_and_solves_the_feasible_points(tmp_path):
    """The base scenario itself is infeasible (budget 2 < 3 minimum starters x 1); the grid scales
    the budget by 1 (still infeasible) and 2 (budget 4: 4 starters, 6 short, objective
    100 x 6 + 4 = 604). The failed point's reason gives the file and line of both limits."""
    base = copy.deepcopy(HAND)
    base["funding_streams"]["f"]["budget"] = 2
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "grid.yaml").write_text("name: b\nscenario: hand.yaml\ngrid:\n  parameters:\n    budget:\n"
                                        "      path: funding_streams.f.budget\n      op: scale\n      values: [1, 2]\n")
    result = sweep(tmp_path / "grid.yaml", out=tmp_path / "out", workers=1, progress=False)
    p = result.points
    assert list(p["status"]) == ["failed", "ok"] and p.loc[1, "objective"] == pytest.approx(604)
    hand = tmp_path / "hand.yaml"
    assert f"({hand}:15)" in p.loc[0, "error"] and f"({hand}:3)" in p.loc[0, "error"]
    assert f"({hand}:15)" in result.summary()


def test_a_variants_null_for_a_required_key_is_reported_at_the_null(tmp_path):
    """It was reported at the parent key's line as plainly 'missing'."""
    from workforce import load_scenario

    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "v.yaml").write_text("roles:\n  ep:\n    demand: null\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "hand.yaml", variants=[tmp_path / "v.yaml"])
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.key) == (str(tmp_path / "v.yaml"), 3, "roles.ep.demand")
    assert "sets it to null, which removes it" in problem.message


def test_a_monte_carlo_parameter_named_like_a_role_is_refused_before_solving(tmp_path):
    """shortfall_distribution() puts a column per role beside the parameters: 'ep' would clash
    after every draw was solved."""
    spec = copy.deepcopy(MC)
    spec["montecarlo"]["parameters"] = {"ep": spec["montecarlo"]["parameters"]["demand"]}
    with pytest.raises(ScenarioError, match="parameter name 'ep' is a role of the scenario"):
        sweep(spec, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "out", workers=1,
              progress=False)
    assert not (tmp_path / "out").exists()
