"""Named variants combined on a base, and `workforce show` with the provenance of every value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from workforce import ScenarioError, load_scenario
from workforce.cli.commands import main

BASE = textwrap.dedent(
    """\
    name: Base
    horizon: {first_year: 2026, last_year: 2027}
    regions:
      - {code: A, name: Area A}
    roles:
      ep:
        name: EPs
        initial_stock: 10
        attrition: 0.1
        demand: 12
        shortfall_penalty: 100
    funding_streams:
      dfe: {name: DfE, budget: 50}
    """
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "cut.yaml").write_text("extends: base.yaml\nfunding_streams:\n  dfe: {budget: 40}\n")
    (tmp_path / "attrition.yaml").write_text("extends: base.yaml\nroles:\n  ep:\n    attrition: 0.2\n")
    (tmp_path / "more_cut.yaml").write_text("funding_streams:\n  dfe: {budget: 30}\n")
    (tmp_path / "other.yaml").write_text(BASE.replace("name: Base", "name: Other"))
    (tmp_path / "foreign.yaml").write_text("extends: other.yaml\nroles:\n  ep:\n    attrition: 0.3\n")
    return {p.stem: p for p in tmp_path.glob("*.yaml")}


def test_variants_combine_in_order_on_the_base(files):
    s = load_scenario(files["base"], variants=[files["cut"], files["attrition"]])
    assert s.funding_streams["dfe"].budget == 40
    assert s.roles["ep"].attrition == 0.2
    assert s.roles["ep"].demand == 12  # untouched keys keep the base's values
    later = load_scenario(files["base"], variants=[files["cut"], files["more_cut"]])
    assert later.funding_streams["dfe"].budget == 30  # the later variant wins
    assert s.source_of(("roles", "ep", "attrition")) == (str(files["attrition"]), 4)
    assert s.source_of(("roles", "ep", "demand")) == (str(files["base"]), 10)


def test_a_variant_written_for_another_base_is_refused(files):
    with pytest.raises(ScenarioError) as info:
        load_scenario(files["base"], variants=[files["foreign"]])
    (problem,) = info.value.problems
    assert problem.file == str(files["foreign"]) and problem.line == 1 and problem.key == "extends"
    assert "not" in problem.message and "base.yaml" in problem.message


def test_a_variant_can_be_combined_on_a_variant_of_its_base(files):
    s = load_scenario(files["cut"], variants=[files["attrition"]])
    assert (s.funding_streams["dfe"].budget, s.roles["ep"].attrition) == (40, 0.2)


def test_show_prints_every_value_with_where_it_came_from(files):
    result = CliRunner().invoke(main, ["show", str(files["base"]), "--variant", str(files["attrition"])])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    attrition = next(line for line in lines if line.strip().startswith("attrition:"))
    assert attrition.strip() == f"attrition: 0.2  # {files['attrition']}:4"
    demand = next(line for line in lines if line.strip().startswith("demand:"))
    assert demand.strip() == f"demand: 12.0  # {files['base']}:10"
    surplus = next(line for line in lines if line.strip().startswith("surplus_cost:"))
    assert surplus.strip() == "surplus_cost: 0.0  # default"
    assert "..." not in result.output


def test_run_with_variants_names_its_output_folder_after_them(files, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(files["base"]), "--variant", str(files["cut"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").exists()
    default = CliRunner().invoke(main, ["validate", str(files["base"]), "--variant", str(files["cut"])])
    assert default.exit_code == 0 and "base.yaml + " in default.output
