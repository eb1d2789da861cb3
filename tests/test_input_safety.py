"""Inputs that used to crash, hang or exhaust memory (issue 14, sections 2 to 4): each gives one
located message, and the Python API answers wrong arguments with a message that says what to pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from workforce import Scenario, ScenarioError, load_scenario, scenario_from_dict, solve
from workforce.cli.commands import main
from workforce.errors import VerificationError
from workforce.scenario import fileio
from workforce.scenario.load import MAX_EXTENDS_DEPTH
from workforce.scenario.numbers import MAX_MAGNITUDE

from scenarios import MINIMAL_YAML, assert_problem, edit, load_problem, minimal_scenario, only_problem, write_scenario  # isort: skip

ROOT = Path(__file__).parents[1]
STOCK = "    initial_stock: {E1: 10, E2: 20}\n"
WITH_CSV = edit(MINIMAL_YAML, STOCK, "    initial_stock: {file: stock.csv}\n")


# ------------------------------------------------------------------ files that are not files


def test_fifo_is_refused_without_reading(tmp_path):
    path = write_scenario(tmp_path, WITH_CSV)
    os.mkfifo(tmp_path / "stock.csv")  # opening it for reading would block forever
    p = only_problem(path)
    assert_problem(p, file=tmp_path / "stock.csv", key="roles.ep.initial_stock", says="named pipe (FIFO)")


def test_device_is_refused(tmp_path):
    path = write_scenario(tmp_path, WITH_CSV)
    (tmp_path / "stock.csv").symlink_to("/dev/zero")  # never ends
    assert_problem(only_problem(path), says="leaves the scenario's folder")  # a link out is refused as such
    assert_problem(only_problem(lambda: load_scenario(path, allow_external_paths=True)), key="roles.ep.initial_stock", says="is not a regular file (it is a device)")


def test_scenario_that_is_a_device_or_fifo(tmp_path):
    os.mkfifo(tmp_path / "s.yaml")
    assert_problem(only_problem(tmp_path / "s.yaml"), file=tmp_path / "s.yaml", says="named pipe")
    assert_problem(only_problem(Path("/dev/zero")), file="/dev/zero", says="device")


def test_symlink_loop(tmp_path):
    path = write_scenario(tmp_path, WITH_CSV)
    (tmp_path / "stock.csv").symlink_to(tmp_path / "stock.csv")
    assert_problem(only_problem(path), key="roles.ep.initial_stock", says="symbolic link loop")


def test_nul_byte_and_overlong_paths(tmp_path):
    path = write_scenario(tmp_path, edit(MINIMAL_YAML, STOCK, '    initial_stock: {file: "st\\0ock.csv"}\n'))
    assert_problem(only_problem(path), line=14, key="roles.ep.initial_stock", says="NUL byte")
    long = "a/" * 3000 + "x.csv"
    path = write_scenario(tmp_path / "long", edit(MINIMAL_YAML, STOCK, f"    initial_stock: {{file: {long}}}\n"))
    assert_problem(only_problem(path), line=14, says="paths are limited to 4,096")
    assert_problem(only_problem(lambda: load_scenario("x\0.yaml")), says="NUL byte")


def test_permission_error_is_a_located_message(tmp_path, monkeypatch):
    """As root no file is unreadable, so the refusal is simulated where the file is opened."""
    path = write_scenario(tmp_path, WITH_CSV, {"stock.csv": "region,value\nE1,1\nE2,2\n"})

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileio, "open", denied, raising=False)
    p = only_problem(path)
    assert_problem(p, file=path, says="permission denied")


def test_growing_file_is_cut_at_the_cap(tmp_path, monkeypatch):
    target = tmp_path / "x.csv"
    target.write_text("region,value\n")
    real_open = open

    class Growing:
        def __init__(self, *a, **k):
            self.fh = real_open(*a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, n):
            return b"x" * n  # more than stat said

    monkeypatch.setattr(fileio, "open", Growing, raising=False)
    with pytest.raises(ScenarioError, match="grew past the limit"):
        fileio.read_capped(target, "x.csv", 100)


# ------------------------------------------------------------------ extends:


def test_extends_naming_a_folder(tmp_path):
    (tmp_path / "base.yaml").mkdir()
    path = write_scenario(tmp_path, "extends: base.yaml\nname: V\n", name="v.yaml")
    assert_problem(only_problem(path), line=1, key="extends", says="is a folder")


def test_extends_chain_deeper_than_the_limit(tmp_path):
    write_scenario(tmp_path, name="f0.yaml")
    for i in range(1, MAX_EXTENDS_DEPTH + 1):
        write_scenario(tmp_path, f"extends: f{i - 1}.yaml\nname: F{i}\n", name=f"f{i}.yaml")
    assert load_scenario(tmp_path / f"f{MAX_EXTENDS_DEPTH - 1}.yaml").name == f"F{MAX_EXTENDS_DEPTH - 1}"
    p = only_problem(tmp_path / f"f{MAX_EXTENDS_DEPTH}.yaml")
    assert_problem(p, line=1, key="extends", says=f"limited to {MAX_EXTENDS_DEPTH} files")


def test_own_folder_extends_the_bundled_baseline_from_the_cli(tmp_path, monkeypatch):
    own = tmp_path / "mine"
    own.mkdir()
    baseline = ROOT / "configs" / "england_baseline.yaml"
    (own / "v.yaml").write_text(f"extends: {os.path.relpath(baseline, own)}\nname: Mine\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "mine/v.yaml"])
    assert result.exit_code == 0, result.output
    assert "mine/v.yaml: valid. 9 regions" in result.output


def test_allow_path_names_an_outside_folder(tmp_path, monkeypatch):
    write_scenario(tmp_path / "shared", name="base.yaml")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "v.yaml").write_text("extends: ../shared/base.yaml\nname: Mine\n")
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(main, ["validate", "own/v.yaml"])
    assert refused.exit_code == 1
    assert "error: own/v.yaml:1 [extends]:" in refused.output and "--allow-path DIR" in refused.output
    allowed = CliRunner().invoke(main, ["validate", "own/v.yaml", "--allow-path", "shared"])
    assert allowed.exit_code == 0, allowed.output
    # The option does not outlive the command.
    assert CliRunner().invoke(main, ["validate", "own/v.yaml"]).exit_code == 1
    by_env = CliRunner().invoke(main, ["validate", "own/v.yaml"], env={"WORKFORCE_ALLOW_PATH": "shared"})
    assert by_env.exit_code == 0, by_env.output


# ------------------------------------------------------------------ YAML values


@pytest.mark.parametrize(("value", "says"), [
    ('!!float "abc"', "'abc' cannot be read as a number"),
    ('!!bool "maybe"', "'maybe' cannot be read as true or false"),
    ('!!int "x12"', "'x12' cannot be read as a whole number"),
    ("9" * 5000, "(it has 5,000 digits)"),
], ids=["float-tag", "bool-tag", "int-tag", "long-int"])
def test_values_that_do_not_convert(tmp_path, value, says):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "    attrition: 0.1\n", f"    attrition: {value}\n"))
    assert_problem(p, line=15, key="roles.ep.attrition", says=says)
    assert len(p.message) < 250  # the 5,000 digits are not echoed


@pytest.mark.parametrize(("line", "old", "new", "key"), [
    (19, "    shortfall_penalty: 100\n", "    shortfall_penalty: 1.0e300\n", "roles.ep.shortfall_penalty"),
    (14, STOCK, "    initial_stock: {E1: 1.0e20, E2: 20}\n", "roles.ep.initial_stock.E1"),
    (38, "    places: 5\n", "    places: 10000000000000000\n", "programmes.dedpsy.places"),
    (22, "      cost: 5\n", "      cost: 2e12\n", "roles.ep.hiring.cost"),
], ids=["penalty", "stock", "places", "cost"])
def test_magnitudes_the_solver_refuses(tmp_path, line, old, new, key):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, old, new))
    assert_problem(p, line=line, key=key, says=("too large for the solver", "between -1e12 and 1e12"))


def test_magnitude_in_a_csv_names_the_row(tmp_path):
    p = load_problem(tmp_path, WITH_CSV, {"stock.csv": "region,value\nE1,1\nE2,5e13\n"})
    assert_problem(p, file=tmp_path / "stock.csv", line=3, says="too large")


def test_the_largest_allowed_magnitude_solves(tmp_path):
    s = load_scenario(write_scenario(tmp_path, edit(MINIMAL_YAML, "    shortfall_penalty: 10\n",
                                                    f"    shortfall_penalty: {MAX_MAGNITUDE:.0f}\n")))
    assert solve(s).status == "optimal"


def test_null_and_boolean_keys_have_a_line(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "    attrition: 0.1\n", "    null: 0.1\n"))
    assert_problem(p, line=15, key="roles.ep", says="read by YAML as nothing")
    p = load_problem(tmp_path, edit(MINIMAL_YAML, STOCK, "    initial_stock: {E1: 10, NO: 20}\n"))
    assert_problem(p, line=14, key="roles.ep.initial_stock", says=("'NO' is read by YAML as false", "quoted"))


def test_unquoted_no_as_a_region_code_gets_a_hint_to_quote_it(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "  - code: E2\n", "  - code: NO\n"))
    assert_problem(p, line=9, key="regions.1.code", says="quote text ('NO')")


def test_nul_byte_in_yaml_has_a_line(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "    attrition: 0.1\n", "    attrition: 0.1\0\n"))
    assert_problem(p, line=15, says="NUL byte")


def test_decimal_comma_in_yaml(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "    attrition: 0.1\n", "    attrition: 0,1\n"))
    assert_problem(p, line=15, key="roles.ep.attrition", says="decimal comma")
    assert "thousands" not in p.message


def test_long_values_are_shortened_and_problem_count_capped(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "name: Tiny scenario\n", f"name: {'=x' * 5000}\n"))
    assert "(10,000 characters)" in p.message and len(p.message) < 300
    regions = "".join(f"  - {{code: R{i}, name: '=bad{i}'}}\n" for i in range(40))
    text = MINIMAL_YAML.split("regions:\n")[0] + "regions:\n" + regions + "roles:\n" + MINIMAL_YAML.split("roles:\n")[1]
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path / "many", text))
    assert len(info.value.problems) == 40
    assert str(info.value).count("\n  - ") == 20  # 20 problems, then the count of the rest
    assert f"and {len(info.value.problems) - 20} more" in str(info.value)


@pytest.mark.parametrize(("char", "name"), [("\u202e", "RIGHT-TO-LEFT OVERRIDE"), ("\u200b", "ZERO WIDTH SPACE"),
                                            ("\u2066", "LEFT-TO-RIGHT ISOLATE"), ("\ufeff", "ZERO WIDTH NO-BREAK")])
def test_invisible_characters_in_names_are_refused(tmp_path, char, name):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "    name: North\n", f"    name: No{char}rth\n"))
    assert_problem(p, line=8, key="regions.0.name", says=(name, "at character 3"))


def test_carriage_returns_are_refused_in_names_and_descriptions(tmp_path):
    p = load_problem(tmp_path, edit(MINIMAL_YAML, "name: Tiny scenario\n", 'name: "\\rTiny"\n'))
    assert_problem(p, line=1, key="name", says="cannot be used as a name")
    p = load_problem(tmp_path / "d", edit(MINIMAL_YAML, "description: Two regions, two roles, one programme\n",
                                          'description: "\\r=1+1"\n'))
    assert_problem(p, line=2, key="description", says="a carriage return can split a row")
    ok = load_scenario(write_scenario(tmp_path / "ok", edit(MINIMAL_YAML, "description: Two regions, two roles, one programme\n",
                                                                'description: "two lines\\nand a\\ttab"\n')))
    assert ok.description == "two lines\nand a\ttab"


# ------------------------------------------------------------------ the Python API


@pytest.mark.parametrize("arg", [None, "a/path.yaml", Path("a/path.yaml"), 3, [1]])
def test_solve_says_what_to_pass(arg):
    with pytest.raises(TypeError, match=r"solve\(\) needs a Scenario.*(load_scenario|scenario_from_dict)"):
        solve(arg)


@pytest.mark.parametrize("arg", [None, [1, 2], "scenario.yaml", 3])
def test_scenario_from_dict_says_what_to_pass(arg):
    with pytest.raises(TypeError, match=r"scenario_from_dict\(\) needs a mapping"):
        scenario_from_dict(arg)


def test_load_scenario_refuses_a_dict():
    with pytest.raises(TypeError, match="scenario_from_dict"):
        load_scenario({"name": "x"})


def test_numpy_numbers_are_accepted_like_python_numbers():
    """The minimal scenario with every number made a numpy scalar gives the same optimum."""
    data = minimal_scenario()
    data["horizon"] = {"first_year": np.int64(2026), "last_year": np.int32(2028)}
    data["roles"]["ep"]["initial_stock"] = {"E1": np.int64(10), "E2": np.float64(20)}
    data["roles"]["ep"]["demand"] = {"E1": {np.int64(2026): np.int64(10), 2027: 11, 2028: 12}, "E2": np.float64(20)}
    data["roles"]["ep"]["attrition"] = np.float64(0.1)
    data["programmes"]["dedpsy"]["places"] = np.int16(5)
    data["programmes"]["dedpsy"]["duration"] = np.int64(3)
    plain = solve(scenario_from_dict(minimal_scenario()))
    numpy = solve(scenario_from_dict(data), time_limit=np.float64(60), threads=np.int64(1))
    assert numpy.objective == pytest.approx(plain.objective, rel=1e-9)


def test_immutability_error_recommends_derive_which_validates():
    s = scenario_from_dict(minimal_scenario())
    with pytest.raises(TypeError, match=r"scenario\.derive"):
        s.roles["ep"].attrition = 0.2
    with pytest.raises(TypeError, match=r"scenario\.derive"):
        s.roles["ep"].initial_stock["E1"] = 3
    with pytest.raises(ScenarioError, match="between 0 and 1, got 1.7"):
        s.derive({"roles": {"ep": {"attrition": 1.7}}})
    with pytest.raises(ScenarioError, match="between 0 and 1, got 1.7"):
        s.model_copy(update={"roles": {"ep": {"attrition": 1.7}}})
    d = s.derive({"roles": {"ep": {"attrition": 0.2}}}, name="Higher attrition")
    assert (d.name, d.roles["ep"].attrition, d.roles["senco"].attrition) == ("Higher attrition", 0.2, 0.05)
    assert s.roles["ep"].attrition == 0.1


def test_a_scenario_that_skipped_validation_never_reaches_the_solver():
    s = scenario_from_dict(minimal_scenario())
    bad = s.model_dump()
    bad["roles"]["ep"]["attrition"] = 1.7
    with pytest.raises(ScenarioError, match=r"\[roles\.ep\.attrition\].*got 1\.7"):
        solve(Scenario.model_construct(**bad))
    # A constructed copy of valid content is validated and solves to the same optimum.
    fine = Scenario.model_construct(**s.model_dump())
    assert solve(fine).objective == pytest.approx(solve(s).objective)


def test_plan_edited_after_solving_is_rechecked_before_export(tmp_path):
    plan = solve(scenario_from_dict(minimal_scenario()))
    assert plan.summary["verification"]["passed"] is True
    plan.intake.iloc[0, plan.intake.columns.get_loc("intake")] += 50  # over the 5 places
    with pytest.raises(VerificationError, match="exceeds 5"):
        plan.export(tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert "verification" not in plan.summary  # the stale pass is not kept


def test_unedited_plan_exports_without_the_edit_mark(tmp_path):
    plan = solve(scenario_from_dict(minimal_scenario()))
    plan.export(tmp_path / "out")
    assert "edited_after_solve" not in plan.summary


# ------------------------------------------------------------------ start-up


def test_ctrl_c_during_imports_is_one_line_and_exit_130(tmp_path):
    """A KeyboardInterrupt raised while the command line's modules load (where a real Ctrl-C lands)."""
    code = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "sys.argv = ['workforce', 'validate']\n"
        "from workforce.entry import main\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 130
    assert "Traceback" not in proc.stderr
    assert proc.stderr == "interrupted while starting: nothing was read or written\n"


# ------------------------------------------------------------------ studies


def test_grid_whose_product_of_steps_explodes_is_refused_with_its_line(tmp_path):
    from workforce.studies.spec import MAX_POINTS, load_study

    params = "".join(f"    p{i}:\n      path: roles.{role}.attrition\n      low: 0.05\n      high: 0.1\n      steps: 1000\n"
                     for i, role in enumerate(("ep", "senco", "ey_senco")))  # three values: one parameter each
    path = tmp_path / "study.yaml"
    path.write_text(f"name: Big\nscenario: s.yaml\ngrid:\n  parameters:\n{params}")
    p = only_problem(lambda: load_study(path))
    assert_problem(p, file=path, line=3, key="grid", says=("1,000,000,000 points (1000 x 1000 x 1000)",
                                                          f"at most {MAX_POINTS:,}", "Latin hypercube"))
    path.write_text(f"name: Fine\nscenario: s.yaml\ngrid:\n  parameters:\n{params.replace('steps: 1000', 'steps: 100')}")
    assert len(load_study(path)[0].grid.parameters) == 3  # 1,000,000 points is allowed


# ------------------------------------------------------------------ workforce plot on a hand-edited run


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "run"
    solve(scenario_from_dict(minimal_scenario())).export(out)
    return out


def _edited(saved_run, tmp_path, edit_files):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(saved_run, folder)
    edit_files(folder)
    return folder


def _set_labels(path: Path, labels: object) -> None:
    import json

    summary = json.loads(path.read_text())
    summary["labels"] = labels
    path.write_text(json.dumps(summary))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("name", "edit_files", "says"), [
    ("labels", lambda d: _set_labels(d / "summary.json", {"regions": 5, "roles": "x"}),
     "summary.json [labels]: not in the form"),
    ("fractional-year", lambda d: _replace(d / "workforce.csv", ",2026,", ",2026.5,"),
     "workforce.csv:2: column year: 2026.5 is not a year"),
    ("huge-year", lambda d: _replace(d / "workforce.csv", ",2026,", ",99999999999999999999,"),
     "workforce.csv:2: column year: 1e+20 is not a year"),
    ("repeated-row", lambda d: (d / "flows.csv").write_text((d / "flows.csv").read_text()
                                                          + (d / "flows.csv").read_text().splitlines()[1] + "\n"),
     "appears twice"),
    ("fifo", lambda d: ((d / "summary.json").unlink(), os.mkfifo(d / "summary.json")), "named pipe (FIFO)"),
    ("folder", lambda d: ((d / "spend.csv").unlink(), (d / "spend.csv").mkdir()), "spend.csv: is a folder"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_plot_on_a_run_edited_into_nonsense_is_a_located_error(saved_run, tmp_path, name, edit_files, says):
    folder = _edited(saved_run, tmp_path, edit_files)
    result = CliRunner().invoke(main, ["plot", str(folder), "--format", "png"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {folder}/") and says in result.output, result.output
    assert "Traceback" not in result.output and not (folder / "charts").exists()
