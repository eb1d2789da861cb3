"""Every code block of the user guide, the studies page and the outputs page either runs here, as a
user would run it, or is named in NOT_RUN with the reason and the test that covers it (issue 17).

- Python blocks run in order in one namespace, from a scratch folder that sees the repository's
  configs/ and tests/data/ (outputs land in the scratch folder); each bare expression of a block is
  evaluated and must give what its comment says (a table, a figure).
- A bash line runs as the command (in-process, through the CLI's own entry point) and must exit 0,
  or the code a `# exits N` comment names; a text block that starts with `$ workforce ...`, or that
  a page shows under the command before it, must be what the command prints, line by line, apart
  from lines holding `...` or `…` (elided on the page) and the run time in brackets.
- A YAML block that quotes a bundled file must agree with that file, key by key.

Blocks are found on the pages, not listed here: a new block fails test_every_block_has_a_rule
until it is given a rule. One module-scoped folder and plan are shared so the whole file costs a
few baseline solves, not one per block.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from matplotlib.figure import Figure

from workforce.cli.commands import main

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = ("guide.md", "studies.md", "outputs.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
EXITS = re.compile(r"#\s*exits (\d+)")
SECONDS = re.compile(r"\(\d+(\.\d+)? s\)")

# (page, first line of the block) -> how the block is checked. Every block of PAGES has one rule.
RUN = {
    ("guide.md", "from workforce import load_scenario, solve"): "test_the_guides_python_blocks_run",
    ("guide.md", "e = plan.explain()       # an Explanation; print(e) gives the text below"):
        "test_the_guides_python_blocks_run",
    ("guide.md", 'plan.plot.capacity_map("ep")                 # supply against demand, a tile per region '
                 "shaped like England"): "test_the_guides_python_blocks_run",
    ("guide.md", "roles:"): "test_the_yaml_blocks_quote_the_bundled_files",
    ("guide.md", "extends: england_baseline.yaml"): "test_the_yaml_blocks_quote_the_bundled_files",
    ("guide.md", "$ workforce forecast --backtest"): "test_the_guides_commands_print_what_it_shows",
    ("guide.md", "$ workforce backcast"): "test_the_guides_commands_print_what_it_shows",
    ("guide.md", "workforce run configs/england_baseline.yaml --variant configs/variant_high_demand.yaml \\"):
        "test_the_guides_commands_print_what_it_shows",
    ("guide.md", "  dfe_ep:  # configs/variant_budget_cut_20.yaml:21"): "test_the_guides_commands_print_what_it_shows",
    ("guide.md", "tests/data/infeasible_budget.yaml: the scenario is infeasible: no plan meets all of its hard "
                 "limits. The smallest relative changes that would make it feasible (other combinations may "
                 "also work):"): "test_the_guides_commands_print_what_it_shows",
    ("studies.md", "workforce compare configs/england_baseline.yaml configs/variant_no_ep_expansion.yaml "
                   "--out results/compare"): "test_the_compare_command_prints_what_the_page_shows",
    ("studies.md", "Input differences (3 keys):"): "test_the_compare_command_prints_what_the_page_shows",
    ("studies.md", "from workforce import compare, load_scenario, solve"): "test_the_python_comparison_runs",
    ("studies.md", "name: EP training budget sweep"): "test_the_yaml_blocks_quote_the_bundled_files",
    ("studies.md", "workforce sweep configs/studies/ep_budget_sweep.yaml --out results/ep_budget  # exits 6: "
                   "the 95% points fail"): "test_the_sweep_command_prints_what_the_page_shows",
    ("studies.md", "EP training budget sweep: 33 of 36 points solved, 3 failed, 0 already done (16.7 s) -> "
                   "results/ep_budget"): "test_the_sweep_command_prints_what_the_page_shows",
    ("studies.md", "workforce montecarlo configs/studies/ep_montecarlo.yaml --draws 20 --out results/quick"):
        "test_the_montecarlo_quick_look_prints_what_the_page_shows",
    ("studies.md", "Workforce outlook uncertainty: 20 of 20 points solved, 0 failed, 0 already done (15.1 s) -> "
                   "results/quick"): "test_the_montecarlo_quick_look_prints_what_the_page_shows",
    ("studies.md", "montecarlo:"): "test_the_yaml_blocks_quote_the_bundled_files",
    ("studies.md", "stochastic:"): "test_the_yaml_blocks_quote_the_bundled_files",
    ("outputs.md", "workforce run my_scenario.yaml --out results/mine --format csv,xlsx,parquet"):
        "test_the_outputs_pages_commands_write_every_format",
    ("outputs.md", 'plan.export("results/mine", formats=("csv", "xlsx", "parquet"))   # plan.to_csv(dir) = csv '
                   "only"): "test_the_outputs_pages_commands_write_every_format",
}
NOT_RUN = {
    ("guide.md", "programmes:"): "a menu of independent fragments with `...` placeholders, not one scenario; "
    "every key it names is in docs/yaml-reference.md, which tests/test_schema_files.py keeps equal to the schema",
    ("guide.md", "workforce validate ~/plans/my_variant.yaml                            # extends: "
                 "../../site-packages/.../england_baseline.yaml: allowed"):
    "names the reader's own folders (~/plans, ~/shared); tests/test_study_allow_path.py and "
    "tests/test_input_safety.py run --allow-path and the bundled-baseline exception",
    ("guide.md", "workforce explain configs/england_baseline.yaml            # marginal values, binding limits, "
                 "what-ifs"):
    "the first line is run by tests/test_guide_examples.py (its output against the worked example); the second "
    "names the reader's own file, and the same command on tests/data/infeasible_budget.yaml is run here",
    ("guide.md", "What holds the plan back: 358 limits bind and 5 nearly bind; 210 of them carry a value:"):
    "tests/test_guide_examples.py checks every line against `workforce explain configs/england_baseline.yaml`",
    ("studies.md", "workforce montecarlo configs/studies/ep_montecarlo.yaml --out results/outlook"):
    "1,000 baseline solves (about a minute on two idle cores, several under CI load); the same command with "
    "--draws 20 is the block before it, run here, and on the README, which tests/test_walkthrough.py runs",
    ("studies.md", "Workforce outlook uncertainty: 1000 of 1000 points solved, 0 failed, 0 already done (28.1 s) "
                   "-> results/outlook"):
    "the output of the 1,000-draw run above (too slow for the suite: 103 s on two shared cores at load 8), pasted from "
    "that run; its form is that of the 20-draw block before it, which "
    "test_the_montecarlo_quick_look_prints_what_the_page_shows checks line by line",
    ("studies.md", "workforce stochastic configs/studies/stochastic/ep_places.yaml --draws 20 --out "
                   "results/ep_stochastic"):
    "20 draws of the baseline's extensive form take minutes; tests/test_stochastic_cli.py runs the command on "
    "small scenarios",
    ("studies.md", "dask scheduler --host 10.0.0.5                               # on the scheduler machine "
                   "(port 8786)"):
    "needs a scheduler and worker machines; tests/test_dask.py runs --scheduler against a local cluster",
}


def page_blocks(page: str) -> list[tuple[str, str, str]]:
    """(language, first line, body) of each fenced block of a page, in order."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(lang, body.splitlines()[0], body) for lang, body in FENCE.findall(text)]


def block(page: str, first: str) -> str:
    (body,) = [body for _, line, body in page_blocks(page) if line == first]
    return body


def test_every_block_has_a_rule():
    found = {(page, first) for page in PAGES for _, first, _ in page_blocks(page)}
    assert not RUN.keys() & NOT_RUN.keys()
    assert not found - RUN.keys() - NOT_RUN.keys(), "blocks with no rule (add one to RUN or NOT_RUN)"
    assert not (RUN.keys() | NOT_RUN.keys()) - found, "rules for blocks the pages no longer show"
    assert all(len(reason) > 40 for reason in NOT_RUN.values())


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A user's folder in a checkout, the working folder of every test here."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "configs").symlink_to(ROOT / "configs", target_is_directory=True)
    (folder / "tests").mkdir()
    (folder / "tests" / "data").symlink_to(ROOT / "tests" / "data", target_is_directory=True)
    here = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def guide(scratch):
    """The namespace of the guide's first Python block: the baseline solved, as the page does it."""
    namespace: dict = {"__name__": "guide"}
    run_python(block("guide.md", "from workforce import load_scenario, solve"), namespace)
    return namespace


def run_python(code: str, namespace: dict) -> list[object]:
    """Run a block statement by statement; give the value of each bare expression."""
    values = []
    for node in ast.parse(code).body:
        with contextlib.redirect_stdout(io.StringIO()):
            if isinstance(node, ast.Expr):
                values.append(eval(compile(ast.Expression(node.value), "doc", "eval"), namespace))  # noqa: S307
            else:
                exec(compile(ast.Module([node], []), "doc", "exec"), namespace)  # noqa: S102
    return values


def cli(line: str) -> tuple[int, str]:
    """One command line of a page, run through the CLI's entry point; its exit code and output."""
    args = shlex.split(line, comments=True)
    assert args[0] == "workforce", line
    result = CliRunner().invoke(main, args[1:])
    assert not isinstance(result.exception, AssertionError), result.output
    expected = int(m.group(1)) if (m := EXITS.search(line)) else 0
    assert result.exit_code == expected, f"{line}\nexit {result.exit_code}\n{result.output[-3000:]}"
    return result.exit_code, result.output


def not_printed(shown: str, output: str) -> list[str]:
    """Lines of a shown output that the command did not print (elided lines and run times aside)."""
    printed = {SECONDS.sub("", line).rstrip() for line in output.splitlines()}
    return [line for line in shown.splitlines()
            if line.strip() and "..." not in line and "…" not in line
            and not line.startswith("$ ") and SECONDS.sub("", line).rstrip() not in printed]


def test_the_guides_python_blocks_run(guide, scratch):
    """The guide's three Python blocks: each expression gives what its comment promises."""
    first = run_python(block("guide.md", "from workforce import load_scenario, solve"), guide)
    assert [type(v).__name__ for v in first] == ["DataFrame", "Series", "DataFrame", "dict", "PosixPath"]
    assert (scratch / "results" / "baseline" / "summary.json").is_file()
    assert {"supply", "demand", "shortfall"} <= set(first[0].columns)
    assert {"spent", "budget", "headroom"} <= set(first[2].columns)

    explained = run_python(block("guide.md", "e = plan.explain()       # an Explanation; print(e) gives the text "
                                             "below"), guide)
    assert len(explained) == 7 and all(isinstance(v, pd.DataFrame) for v in explained)
    assert all(len(v) for v in explained[:1]), "no binding limit on the baseline"
    assert list(explained[2].index.names) == ["stage", "stream", "year"]  # e.budgets, as the comment says

    guide["plan"].to_csv("results/england_baseline")  # the run folder `workforce run` leaves, for load_plan
    guide["other_plan"] = guide["plan"]
    charts = run_python(block("guide.md", 'plan.plot.capacity_map("ep")                 # supply against demand, '
                                          "a tile per region shaped like England"), guide)
    assert len(charts) == 9 and all(isinstance(v, Figure) for v in charts)
    matplotlib.pyplot.close("all")


def test_the_guides_commands_print_what_it_shows(scratch):
    for first in ("$ workforce forecast --backtest", "$ workforce backcast"):
        shown = block("guide.md", first)
        _, out = cli(first[2:])
        assert not (missing := not_printed(shown, out)), missing

    variants = block("guide.md", "workforce run configs/england_baseline.yaml --variant "
                                 "configs/variant_high_demand.yaml \\").replace("\\\n", " ").splitlines()
    run_line, show_line = (line.strip() for line in variants)
    cli(run_line)
    assert (scratch / "results" / "england_baseline+variant_high_demand+variant_high_ep_attrition"
            / "summary.json").is_file()
    command, grep = show_line.split(" | ")
    _, out = cli(command)
    pattern = shlex.split(grep)[-1]
    lines = out.splitlines()
    (at,) = [i for i, line in enumerate(lines) if pattern in line]  # grep -A3
    assert "\n".join(lines[at:at + 4]) + "\n" == block("guide.md", "  dfe_ep:  # configs/variant_budget_cut_20.yaml:21")

    text = (DOCS / "guide.md").read_text(encoding="utf-8")
    line = re.search(r"`(workforce explain tests/data/infeasible_budget\.yaml --strict)` exits with code (\d)", text)
    _, out = cli(f"{line.group(1)}  # exits {line.group(2)}")
    shown = block("guide.md", "tests/data/infeasible_budget.yaml: the scenario is infeasible: no plan meets all of "
                              "its hard limits. The smallest relative changes that would make it feasible (other "
                              "combinations may also work):")
    assert not (missing := not_printed(shown, out)), missing


def test_the_compare_command_prints_what_the_page_shows(scratch):
    _, out = cli(block("studies.md", "workforce compare configs/england_baseline.yaml "
                                     "configs/variant_no_ep_expansion.yaml --out results/compare").strip())
    assert not (missing := not_printed(block("studies.md", "Input differences (3 keys):"), out)), missing
    assert (scratch / "results" / "compare" / "results.csv").is_file()


def test_the_python_comparison_runs(scratch):
    values = run_python(block("studies.md", "from workforce import compare, load_scenario, solve"),
                        {"__name__": "studies"})
    inputs, results, differences, chart, shown = values
    assert "funding_streams.dfe_ep.budget" in inputs.index and list(inputs.columns) == ["baseline",
                                                                                       "no EP expansion"]
    assert list(results.index.names) == ["measure", "item", "region"] and len(results) == len(differences)
    assert isinstance(chart, Figure) and "3 inputs differ" in repr(shown)
    assert "no EP expansion" in shown._repr_html_()  # what a notebook shows for `c`
    matplotlib.pyplot.close("all")


def test_the_outputs_pages_commands_write_every_format(scratch, guide):
    """The outputs page's command on a scenario of the reader's own (the tutorial's first one)."""
    tutorial = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    mine = re.search(r"as\s+`first/plan\.yaml`:\n\n```yaml\n(.*?)^```", tutorial, re.S | re.M).group(1)
    (scratch / "my_scenario.yaml").write_text(mine, encoding="utf-8")
    cli(block("outputs.md", "workforce run my_scenario.yaml --out results/mine --format csv,xlsx,parquet").strip())
    written = {p.name for p in (scratch / "results" / "mine").rglob("*")}
    assert {"intake.csv", "plan.xlsx", "summary.json", "manifest.json"} <= written
    assert any(name.endswith(".parquet") for name in written)

    run_python(block("outputs.md", 'plan.export("results/mine", formats=("csv", "xlsx", "parquet"))   # '
                                   "plan.to_csv(dir) = csv only"), guide)
    summary = (scratch / "results" / "mine" / "summary.json").read_text(encoding="utf-8")
    assert "England" in summary  # the baseline's plan replaced the earlier run the tool wrote there


def study(first: str) -> str:
    """A study command of the studies page, run here with one worker: the number of workers changes
    nothing a study prints or writes but its time (each point's plan depends on the point alone,
    tests/test_warm_history.py), and one worker in this process starts no pool. Its output."""
    command, _, comment = block("studies.md", first).strip().partition("  #")
    _, out = cli(f"{command} --workers 1 --no-progress" + (f"  #{comment}" if comment else ""))
    return out


def test_the_sweep_command_prints_what_the_page_shows(scratch):
    """The sweep's lines (its run time aside) and the figures the page draws from it."""
    first = "workforce sweep configs/studies/ep_budget_sweep.yaml --out results/ep_budget  # exits 6: the 95% points fail"
    out = study(first)
    shown = block("studies.md", "EP training budget sweep: 33 of 36 points solved, 3 failed, 0 already done (16.7 s) "
                                "-> results/ep_budget")
    assert not (missing := not_printed(shown, out)), missing
    from workforce.studies.store import StudyStore

    points = pd.read_csv(scratch / "results" / "ep_budget" / "points.csv", index_col="point")
    df = StudyStore(scratch / "results" / "ep_budget").read(["shortfall", "spend"])
    at = points[(points["ep_attrition"] == 0.09) & (points["status"] == "ok")]
    short = df[(df["measure"] == "shortfall") & (df["item"] == "ep")].groupby("point")["value"].sum()
    spend = df[(df["measure"] == "spend") & (df["item"] == "dfe_ep")].groupby("point")["value"].sum()
    text = " ".join((DOCS / "studies.md").read_text(encoding="utf-8").split())
    said = re.search(r"falls from ([\d,]+) FTE-years at 100% of the DfE EP budget to ([\d,]+) at 105%, ([\d,]+) at "
                     r"110% and ([\d,]+) at 115%, and no further.*?DfE EP spend stops at £([\d.]+)m", text)
    steps = [at.index[(at["ep_budget"] - b).abs() < 1e-9][0] for b in (1.0, 1.05, 1.10, 1.15)]
    assert [f"{short[i]:,.0f}" for i in steps] == list(said.groups()[:4])
    beyond = at.index[at["ep_budget"] > 1.15 + 1e-9]
    assert short[beyond].round(3).nunique() == 1 and round(short[beyond].iloc[0]) == round(short[steps[-1]])
    assert f"{spend[beyond].max() / 1000:.1f}" == said.group(5)


def test_the_montecarlo_quick_look_prints_what_the_page_shows(scratch):
    out = study("workforce montecarlo configs/studies/ep_montecarlo.yaml --draws 20 --out results/quick")
    shown = block("studies.md", "Workforce outlook uncertainty: 20 of 20 points solved, 0 failed, 0 already done "
                                "(15.1 s) -> results/quick")
    assert not (missing := not_printed(shown, out)), missing
    assert (scratch / "results" / "quick" / "fan_shortfall.csv").is_file()


def quoted(fragment: dict, bundled: dict, path: str = "") -> list[str]:
    """Keys of a page's YAML fragment whose values differ from the bundled file's."""
    wrong = []
    for key, value in fragment.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in bundled:
            wrong.append(f"{where}: not in the bundled file")
        elif isinstance(value, dict) and isinstance(bundled[key], dict):
            wrong += quoted(value, bundled[key], where)
        elif value != bundled[key]:
            wrong.append(f"{where}: page {value!r}, file {bundled[key]!r}")
    return wrong


@pytest.mark.parametrize(("page", "first", "bundled", "added"), [
    ("guide.md", "roles:", "configs/england_baseline.yaml", []),
    ("guide.md", "extends: england_baseline.yaml", "configs/variant_high_ep_attrition.yaml", []),
    ("studies.md", "name: EP training budget sweep", "configs/studies/ep_budget_sweep.yaml", []),
    ("studies.md", "montecarlo:", "configs/studies/ep_montecarlo.yaml", []),
    ("studies.md", "stochastic:", "configs/studies/stochastic/ep_places.yaml", ["stochastic.risk"]),
])
def test_the_yaml_blocks_quote_the_bundled_files(page, first, bundled, added):
    """Every key the page shows has the bundled file's value; a key the page adds on purpose (an
    optional setting the file leaves out) must pass the study's validation with the file."""
    fragment = yaml.safe_load(block(page, first))
    data = yaml.safe_load((ROOT / bundled).read_text(encoding="utf-8"))
    assert quoted(fragment, data) == [f"{key}: not in the bundled file" for key in added]
    if added:
        from workforce.studies.spec import study_from_dict
        from workforce.studies.stochastic.spec import StochasticStudy

        merged = {**data, "stochastic": {**data["stochastic"], **fragment["stochastic"]}}
        assert study_from_dict(merged, schema=StochasticStudy).stochastic.risk is not None
